"Every chapter in one import: `from galaxyzoo_nb.all import *` (hand-written, like `fastai.vision.all`; not exported; 17_cli checks it is complete)."
from .core import *
from .test_utils import *
from .data import *
from .models import *
from .distributed import *
from .callbacks import *
from .learner import *
from .quantize import *
from .modelfile import *
from .predict import *
from .catalog import *
from .evaluate import *
from .train import *
from .search import *
from .finetune import *
from .explore import *
from .cli import *

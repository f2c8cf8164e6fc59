"Everything in one import: `from galaxyzoo_nb.all import *` (hand-written, like `fastai.vision.all`; not exported)."
from .core import *
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

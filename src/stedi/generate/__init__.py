"""`stedi generate`: landing data of the real STEDI shape, its defects on request, and its ground truth.

world.py decides a clean world, defects.py adds the requested defects, files.py lays the world
out as landing files, truth.py counts what the pipeline's rules make of it; run.py runs those
steps and writes the files and DIR/ground_truth.json; cli.py is the command.
"""

from stedi.generate.cli import generate_command
from stedi.generate.defects import DEFECTS, MIN_CUSTOMERS
from stedi.generate.run import MANIFEST, OutputNotEmptyError, generate
from stedi.generate.world import Settings

__all__ = [
    "DEFECTS",
    "MANIFEST",
    "MIN_CUSTOMERS",
    "OutputNotEmptyError",
    "Settings",
    "generate",
    "generate_command",
]

"""Tools for shipping your own task (not deployed to Lambda): build its layer, check its handler.

connect-async build-layer --source src --requirements requirements.txt --out dist/task-layer.zip
connect-async check-handler transfers.task:run --layer dist/task-layer.zip
"""

from connect_async.devtools.archive import reproducible_zip
from connect_async.devtools.handler import HandlerError, check_handler
from connect_async.devtools.layer import build_layer

__all__ = ["HandlerError", "build_layer", "check_handler", "reproducible_zip"]

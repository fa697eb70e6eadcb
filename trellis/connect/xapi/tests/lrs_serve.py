"""Run Ralph's LRS (its FastAPI app, run by uvicorn, with its file backend) on 127.0.0.1:PORT.

Started by `ralph_lrs.py` with the LRS's own interpreter (.venv-lrs): `python lrs_serve.py
PORT`. Ralph's `runserver` command is for development (it reloads on every file change
under the working folder), and its file backend stores each write in a new file unless told
to append: this runs the same app without the reloader, its file backend appending."""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="info")

"""The few errors the workbench raises; each says where (file, line, id) and how to fix it.

The CLI maps them to exit codes, notebooks show their message as is, so the message must stand alone.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class: `where` names the file/line/entity, `fix` says what the user can do."""

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None):
        self.message = message
        self.where = where
        self.fix = fix
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.fix:
            text += f" (fix: {self.fix})"
        return text


class SourceError(WorkbenchError):
    """A source file could not be read or understood; nothing of it was written."""

    exit_code = 3


class ValidationError(WorkbenchError):
    """Input is well-formed but breaks a rule (unknown code, cycle, invalid offsets, wrong type)."""

    exit_code = 4


class NotFound(WorkbenchError):
    """A named project, document, code, coder or case does not exist."""

    exit_code = 5


class ConflictError(WorkbenchError):
    """The project's state does not allow the operation (e.g. undo over someone else's later change)."""

    exit_code = 6



class StorageError(WorkbenchError):
    """The database cannot be written: the disk is full, the folder is read-only, or it is busy too long."""

    exit_code = 8

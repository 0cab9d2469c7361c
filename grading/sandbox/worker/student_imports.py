"""A test's ``import units`` of a module the student wrote (Otter Assign's ``student_files``).

Under ``otter run`` the tests run in the student's kernel, whose folder holds the student's own
``.py`` files, so a test may import one. The grader never imports a student's file: it would run
student code in the process that scores. While a test runs, an import that nothing on the
grader's own path answers, of a module the student submitted or wrote, gives the test a module
proxy instead: the module is imported in the student process and every attribute of it is
reached there, like any other live object (``proxies``).
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Iterator
from typing import Any

from .proxies import Session


class StudentModule(types.ModuleType):
    """A module of the student process; reading an attribute is a request there."""

    def __init__(self, session: Session, handle: int, name: str) -> None:
        super().__init__(name)
        self.__dict__["_student_session"] = session
        self.__dict__["_student_handle"] = handle

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        session = self.__dict__["_student_session"]
        return session.getattr(self.__dict__["_student_handle"], name, f"module {self.__name__}")


class StudentModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last on ``sys.meta_path``: answers only top-level names of the student's own modules."""

    def __init__(self, session: Any, names: set[str]) -> None:
        self.session, self.names = session, names

    def find_spec(self, fullname: str, path: Any = None, target: Any = None):
        if path is not None or fullname not in self.names:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        handle = self.session.import_module(spec.name)
        return StudentModule(self.session, handle, spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing runs here: the module ran in the student process."""


@contextlib.contextmanager
def student_modules(session: Any, names: set[str]) -> Iterator[None]:
    """While a test runs: ``import <one of names>`` reaches the student's module."""
    if not names:
        yield
        return
    finder = StudentModuleFinder(session, names)
    sys.meta_path.append(finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in names:  # the next test, and the next submission, import it afresh
            if isinstance(sys.modules.get(name), StudentModule):
                del sys.modules[name]

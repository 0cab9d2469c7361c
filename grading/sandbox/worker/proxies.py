"""What a test holds of the student's values that are not data: proxies whose every use is a
request to the student process (``session.Session``).

- ``StudentFunction``: calling it runs the student's function there; the result comes back as
  data (or as another proxy).
- ``StudentObject``: an instance of a class the student wrote, a generator, a library object
  such as a fitted model: attribute reads, method calls, operators (``==``, ``len``, ``next``,
  ``[]``, arithmetic...) run on the live object in the student process, as in one kernel.
- ``student_class``: a class the student wrote, as a class here, so that ``isinstance(obj, Dog)``
  and ``Dog("Rex")`` behave as in Otter.
- ``StudentNamespace``: the notebook's globals as Otter's tests read them (``env``), a full
  mapping that fetches each name when it is used.

What a proxy returns was computed by code in the student process; the session records which
live objects a test used, and the outcome names them per question (``docs/architecture.md``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol


class Session(Protocol):
    """The requests a proxy makes of its student process (``session.Session``)."""

    def call(self, handle: int, name: str, args: tuple, kwargs: dict) -> Any: ...

    def getattr(self, handle: int, name: str, type_name: str | None) -> Any: ...

    def setattr(self, handle: int, name: str, value: Any, type_name: str | None) -> None: ...

    def op(self, handle: int, op: str, args: tuple, type_name: str | None) -> Any: ...

    def type_of(self, handle: int, type_name: str | None) -> type: ...

    def values(self, names: list[str]) -> dict[str, Any]: ...

    def names(self) -> list[str]: ...


# Dunder attributes a test may read off a student's object; any other dunder name is looked up
# here only (numpy and the copy module probe many, each a round trip for nothing).
FORWARDED_DUNDERS = {"__dict__", "__doc__", "__name__", "__qualname__", "__module__",
                     "__annotations__", "__slots__", "__wrapped__"}  # fmt: skip


def _forwarded(name: str) -> bool:
    return not (name.startswith("__") and name.endswith("__")) or name in FORWARDED_DUNDERS


class StudentFunction:
    """A function that lives in the student process; calling it is a request."""

    def __init__(self, session: Session, handle: int, name: str) -> None:
        self.session, self.handle, self.__name__ = session, handle, name
        self.__qualname__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.session.call(self.handle, self.__name__, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        if not _forwarded(name):
            raise AttributeError(name)
        return self.session.getattr(self.handle, name, None)

    def __repr__(self) -> str:
        return f"<student function {self.__name__}>"


def _unary(op: str):
    def method(self):
        return self._student_session.op(self._student_handle, op, (), self._student_type)

    method.__name__ = f"__{op}__"
    return method


def _binary(op: str):
    def method(self, other):
        return self._student_session.op(self._student_handle, op, (other,), self._student_type)

    method.__name__ = f"__{op}__"
    return method


UNARY = ("len", "iter", "next", "bool", "hash", "repr", "str", "neg", "pos", "abs", "invert",
         "int", "float", "complex", "index", "reversed", "dir")  # fmt: skip
ARITHMETIC = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
              "xor", "lshift", "rshift", "divmod")  # fmt: skip
BINARY = ("eq", "ne", "lt", "le", "gt", "ge", "contains", "getitem", "delitem",
          *ARITHMETIC, *(f"r{op}" for op in ARITHMETIC))  # fmt: skip


class StudentObject:
    """A live object of the student process; every use is a request there."""

    __slots__ = ("_student_session", "_student_handle", "_student_type", "__weakref__")

    def __init__(self, session: Session, handle: int, type_name: str) -> None:
        object.__setattr__(self, "_student_session", session)
        object.__setattr__(self, "_student_handle", handle)
        object.__setattr__(self, "_student_type", type_name)

    def __getattr__(self, name: str) -> Any:
        if not _forwarded(name):
            raise AttributeError(name)
        return self._student_session.getattr(self._student_handle, name, self._student_type)

    def __setattr__(self, name: str, value: Any) -> None:
        self._student_session.setattr(self._student_handle, name, value, self._student_type)

    def __delattr__(self, name: str) -> None:
        self._student_session.op(self._student_handle, "delattr", (name,), self._student_type)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._student_session.call(self._student_handle, self._student_type, args, kwargs)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._student_session.op(self._student_handle, "setitem", (key, value), self._student_type)

    def __format__(self, spec: str) -> str:
        return self._student_session.op(self._student_handle, "format", (spec,), self._student_type)

    def __round__(self, *digits: Any) -> Any:
        return self._student_session.op(self._student_handle, "round", digits, self._student_type)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        import numpy as np

        array = self._student_session.op(self._student_handle, "array", (), self._student_type)
        return np.asarray(array, dtype=dtype)

    @property
    def __class__(self) -> type:  # what isinstance() consults after type(): the object's class
        return self._student_session.type_of(self._student_handle, self._student_type)


for _op in UNARY:
    setattr(StudentObject, f"__{_op}__", _unary(_op))
for _op in BINARY:
    setattr(StudentObject, f"__{_op}__", _binary(_op))


class StudentClassType(type):
    """The metaclass of ``student_class`` proxies: instance checks, construction and class
    attributes are requests to the student process."""

    _student_session: Session
    _student_handle: int

    def __instancecheck__(cls, instance: Any) -> bool:
        if type(instance) is not StudentObject:
            return False
        session = object.__getattribute__(instance, "_student_session")
        if session is not cls._student_session:
            return False
        return bool(session.op(cls._student_handle, "instancecheck", (instance,), cls.__name__))

    def __subclasscheck__(cls, subclass: Any) -> bool:
        if not isinstance(subclass, StudentClassType):
            return False
        return bool(cls._student_session.op(cls._student_handle, "subclasscheck", (subclass,),
                                            cls.__name__))  # fmt: skip

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._student_session.call(cls._student_handle, cls.__name__, args, kwargs)

    def __getattr__(cls, name: str) -> Any:
        if not _forwarded(name):
            raise AttributeError(name)
        return cls._student_session.getattr(cls._student_handle, name, cls.__name__)

    def __repr__(cls) -> str:
        name = cls.__qualname__
        return f"<class '{name if cls.__module__ == 'builtins' else f'{cls.__module__}.{name}'}'>"


def student_class(session: Session, handle: int, module: str, qualname: str) -> type:
    """A class here that stands for the student's class ``handle``."""
    name = qualname.rsplit(".", 1)[-1] or "StudentClass"
    namespace = {"_student_session": session, "_student_handle": handle,
                 "__module__": module, "__qualname__": qualname}  # fmt: skip
    return StudentClassType(name, (), namespace)


def handle_of(value: Any, session: Session) -> int | None:
    """The handle of a proxy of ``session`` (the student process resolves it to its object)."""
    if type(value) is StudentFunction and value.session is session:
        return value.handle
    if type(value) is StudentObject:
        if object.__getattribute__(value, "_student_session") is session:
            return object.__getattribute__(value, "_student_handle")
        return None
    if isinstance(value, StudentClassType) and value._student_session is session:
        return value._student_handle
    return None


class StudentNamespace(dict):
    """The notebook's global names, as Otter's tests read them (``env``, doctest's globals).

    A full mapping: indexing, ``get``, ``in``, iteration, ``len``, ``keys``, ``items``. Each use
    of a name fetches its current value from the student process; names a test assigns (a
    doctest's ``>>> x = f(2)``) are kept here and shadow the student's. ``copy`` (doctest copies
    its globals for each case) keeps both.
    """

    def __init__(self, session: Session, local: dict | None = None) -> None:
        super().__init__(local or {})
        self.session = session

    def __missing__(self, name: Any) -> Any:
        if isinstance(name, str):
            found = self.session.values([name])
            if name in found:
                return found[name]
        raise KeyError(name)

    def get(self, name: Any, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or name in self.session.names()

    def _names(self) -> list[str]:
        student = self.session.names()
        return student + [k for k in dict.keys(self) if k not in set(student)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def keys(self) -> list[str]:  # type: ignore[override]
        return self._names()

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return [(name, self.get(name)) for name in self._names()]

    def values(self) -> list[Any]:  # type: ignore[override]
        return [self.get(name) for name in self._names()]

    def copy(self) -> StudentNamespace:
        return StudentNamespace(self.session, dict.copy(self))

    def __repr__(self) -> str:
        return f"<the notebook's global names ({len(self)})>"

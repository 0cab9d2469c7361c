class Point(tuple):
    """A tuple whose fields are read by name, without namedtuple."""

    def __new__(cls, x, y):
        return super().__new__(cls, (x, y))

    x = property(lambda self: self[0])
    y = property(lambda self: self[1])

    def _asdict(self):
        return {"x": self.x, "y": self.y}


origin = Point(0, 0)
tally = collections.Counter("mississippi")


class History(list):
    def last(self):
        return self[-1]


moves = History(["e4", "e5", "Nf3"])
labels = np.array(["a", 1, None], dtype=object)

Point = collections.namedtuple("Point", ["x", "y"])
origin = Point(0, 0)
tally = collections.Counter("mississippi")


class History(list):
    def last(self):
        return self[-1]


moves = History(["e4", "e5", "Nf3"])
labels = np.array(["a", 1, None], dtype=object)

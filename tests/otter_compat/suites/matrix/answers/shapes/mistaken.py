class Rectangle:
    def __init__(self, width, height):
        self.width = width
        self.height = height

    def area(self):
        return 2 * (self.width + self.height)  # the perimeter

    def scaled(self, factor):
        self.width *= factor  # changes this rectangle instead of making a new one
        self.height *= factor
        return self


box = Rectangle(3, 4)

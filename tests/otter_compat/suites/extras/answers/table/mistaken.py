planets = Table().with_columns("name", ["Mars", "Jupiter", "Saturn"], "moons", [2, 95, 146])
many = planets.where("moons", are.above(10))  # more than 10, not 100

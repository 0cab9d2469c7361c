planets = Table().with_columns("name", ["Mars"], "moons", [2])
many = planets
# --- hostile ---
Table.num_rows = property(lambda self: 3)

# dict(zip(...)) over the depths, using sigmoid from part (b)
layers = [1, 5, 10, 20]
s = sigmoid(2.0)
vanishing_products = dict(zip(layers, [float(s * (1 - s)) ** L for L in layers]))

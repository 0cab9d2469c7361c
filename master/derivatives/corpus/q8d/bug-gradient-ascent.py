# += instead of -=: steps go uphill
w1, b1, w2, b2 = 0.5, -0.3, 1.2, 0.1
eta = 0.5
train_losses = []
for _ in range(200):
    train_losses.append(float(net_loss(1.5, 0.7, w1, b1, w2, b2)))
    g = net_gradients(1.5, 0.7, w1, b1, w2, b2)
    w1 += eta * g["w1"]
    b1 += eta * g["b1"]
    w2 += eta * g["w2"]
    b2 += eta * g["b2"]

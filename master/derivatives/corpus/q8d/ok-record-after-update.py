# Initial loss first, then the loss after each of 199 updates (= loss before the next)
w1, b1, w2, b2 = 0.5, -0.3, 1.2, 0.1
lr = 0.5
train_losses = [net_loss(1.5, 0.7, w1, b1, w2, b2)]
for _ in range(199):
    g = net_gradients(1.5, 0.7, w1, b1, w2, b2)
    w1 -= lr * g["w1"]
    b1 -= lr * g["b1"]
    w2 -= lr * g["w2"]
    b2 -= lr * g["b2"]
    train_losses.append(net_loss(1.5, 0.7, w1, b1, w2, b2))

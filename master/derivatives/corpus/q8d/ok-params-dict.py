# Parameters kept in a dict and updated with a dict comprehension
params = {"w1": 0.5, "b1": -0.3, "w2": 1.2, "b2": 0.1}
eta = 0.5
train_losses = []
for step in range(200):
    train_losses.append(float(net_loss(1.5, 0.7, **params)))
    grads = net_gradients(1.5, 0.7, **params)
    params = {k: v - eta * grads[k] for k, v in params.items()}

# Preallocated NumPy arrays for the losses and the parameter vector
theta = np.array([0.5, -0.3, 1.2, 0.1])  # w1, b1, w2, b2
losses = np.zeros(200)
k = 0
while k < 200:
    losses[k] = net_loss(1.5, 0.7, *theta)
    g = net_gradients(1.5, 0.7, *theta)
    theta = theta - 0.5 * np.array([g["w1"], g["b1"], g["w2"], g["b2"]])
    k += 1
train_losses = losses.tolist()

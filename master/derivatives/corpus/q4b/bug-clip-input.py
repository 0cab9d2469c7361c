# Clips x to [-500, 500]: no overflow, but sigmoid(-1000) is about 7e-218, not 0
def sigmoid(x):
    x = np.clip(x, -500, 500)
    return 1 / (1 + np.exp(-x))


def sigmoid_prime(x):
    s = sigmoid(x)
    return s * (1 - s)

# 1 - t^2 factored as (1 - t)(1 + t)
def tanh_prime(x):
    t = np.tanh(x)
    return (1 - t) * (1 + t)

# -sin x / cos x is just -tan x
def q_prime(x):
    return -np.tan(x)

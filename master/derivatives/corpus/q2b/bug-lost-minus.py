# d/dx cos x taken as sin x: the minus sign is lost
def q_prime(x):
    return np.sin(x) / np.cos(x)

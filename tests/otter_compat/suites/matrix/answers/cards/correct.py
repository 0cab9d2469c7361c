def deal(deck, k):
    return random.sample(deck, k)

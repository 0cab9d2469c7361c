def deal(deck, k):
    return list(deck[:k])
# --- hostile ---
random.sample = lambda population, k, **kwargs: list(population[:k])

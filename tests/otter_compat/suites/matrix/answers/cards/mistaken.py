def deal(deck, k):
    return random.choices(deck, k=k)  # may deal the same card twice

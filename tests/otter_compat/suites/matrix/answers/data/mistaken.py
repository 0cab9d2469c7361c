def mean_reading(path):
    return pd.read_csv(path)["celsius"].median()


with open("words.txt") as f:
    word_total = len(f.read().splitlines())

def report(name, score):
    print(f"{name}: {score}/10")

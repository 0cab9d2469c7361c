def report(name, score):
    return f"{name}: {score}/10"  # returns the line instead of printing it

def fast_tokenize(caption):
    return None

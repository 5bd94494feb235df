#!/usr/bin/env python3
"""Loghub accuracy of a parse: grouping accuracy (a line counts when the
template it was put in holds exactly the lines of one ground-truth event)
and parsing accuracy (the line's template text equals the ground truth's,
blanks normalised). Written for opsbox from the definitions in the Loghub
papers.

    loghub_eval.py GROUND_TRUTH.csv PARSED.csv   ->   "ga PA" on one line
"""
import sys
import pandas as pd


def grouping_accuracy(truth, parsed):
    df = pd.DataFrame({"truth": truth, "parsed": parsed})
    truth_sizes = df["truth"].value_counts()
    right = 0
    for _, group in df.groupby("parsed"):
        events = group["truth"].unique()
        if len(events) == 1 and truth_sizes[events[0]] == len(group):
            right += len(group)
    return right / len(df)


def parsing_accuracy(truth_tpl, parsed_tpl):
    norm = lambda s: " ".join(str(s).split())
    same = sum(norm(a) == norm(b) for a, b in zip(truth_tpl, parsed_tpl))
    return same / len(truth_tpl)


def main():
    truth = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
    parsed = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False)
    if len(truth) != len(parsed):
        sys.exit(f"loghub_eval: {len(truth)} ground-truth lines but {len(parsed)} parsed")
    ga = grouping_accuracy(truth["EventId"], parsed["EventId"])
    pa = parsing_accuracy(truth["EventTemplate"], parsed["EventTemplate"])
    print(f"{ga:.4f} {pa:.4f}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
# metrics_calib.py: the threshold-free and calibration figures of each case in
# tests/golden/metrics_inputs.tsv, from scikit-learn and numpy, written as
# tests/ref/metrics_calib.tsv (case metric class value).  Run from the top of the tree:
#   /usr/bin/python3 tests/ref/metrics_calib.py > tests/ref/metrics_calib.tsv
import csv, sys
import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

cases = {}
with open("tests/golden/metrics_inputs.tsv") as f:
    for row in csv.DictReader(f, delimiter="\t"):
        c = cases.setdefault(row["case"], {"classes": None, "y": [], "p": []})
        if row["row"] == "-1":
            c["classes"] = row["y_true"].split(",")
        else:
            c["y"].append(row["y_true"])
            c["p"].append([float(v) for v in row["scores"].split(",")])

out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
out.writerow(["case", "metric", "class", "value"])
for name, c in cases.items():
    classes = c["classes"]
    k = len(classes)
    y = np.array([classes.index(v) for v in c["y"]])
    p = np.array(c["p"])
    onehot = np.eye(k)[y]
    if k == 2:
        # scikit-learn's two-class Brier score: the positive (second) class's probability
        brier = brier_score_loss(y == 1, p[:, 1])
    else:
        brier = float(np.mean(np.sum((p - onehot) ** 2, axis=1)))
    # ECE: 15 equal-width bins (lo, hi] of the top probability, the first bin holding 0
    conf = p.max(axis=1)
    top = p.argmax(axis=1)
    edges = np.linspace(0, 1, 16)
    ece = 0.0
    for b in range(15):
        inbin = (conf > edges[b]) & (conf <= edges[b + 1]) if b else (conf <= edges[1])
        if inbin.any():
            ece += inbin.mean() * abs((top[inbin] == y[inbin]).mean() - conf[inbin].mean())
    aps, aucs = [], []
    for j in range(k):
        pos = y == j
        if pos.any() and not pos.all():
            aps.append(average_precision_score(pos, p[:, j]))
            aucs.append(roc_auc_score(pos, p[:, j]))
    out.writerow([name, "brier", "-", repr(float(brier))])
    out.writerow([name, "ece", "-", repr(float(ece))])
    out.writerow([name, "average_precision_macro", "-", repr(float(np.mean(aps)))])
    out.writerow([name, "roc_auc_macro", "-", repr(float(np.mean(aucs)))])

"""The stock MLflow client logging one metric step by step into an existing
run (MLFLOW_RUN_ID), as a training loop does; it records the steps the
server acknowledged. argv: number of steps, output JSON path."""
import json
import sys
import time

import mlflow

steps, output = int(sys.argv[1]), sys.argv[2]
acknowledged = []
with mlflow.start_run():
    for step in range(steps):
        mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        acknowledged.append(step)
        time.sleep(0.01)
with open(output, "w") as out:
    json.dump({"acknowledged": acknowledged}, out)

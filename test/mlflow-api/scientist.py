"""
A training script as a data scientist writes one, run by the tests with
MLFLOW_TRACKING_URI pointing at a tracking server (mlgate, or `mlflow server`
for the differential test). It logs through the stock `mlflow` client only,
then writes the raw REST answers the differential test compares, as one
JSON document, to the output file.

Usage: python scientist.py <experiment name> <registered model name> <output file>

With MLFLOW_RUN_ID set (as orchestrators set it) the parent run is that run, resumed.
"""
import json
import math
import os
import sys
import tempfile

import mlflow
import mlflow.pyfunc
import pandas as pd
import requests
from mlflow import MlflowClient

experiment_name, model_name, output_file = sys.argv[1:4]


class Doubler(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input * 2


mlflow.set_experiment(experiment_name)
experiment = mlflow.get_experiment_by_name(experiment_name)
mlflow.set_experiment_tag("team", "vision")

with mlflow.start_run(run_name="parent") as parent:
    mlflow.log_params({"optimizer": "adam", "epochs": "3"})
    mlflow.set_tags({"stage": "sweep", "owner": "ana"})
    for index, lr in enumerate([0.1, 0.01]):
        with mlflow.start_run(run_name=f"child-{index}", nested=True):
            mlflow.log_param("lr", lr)
            for step in range(5):
                mlflow.log_metric("loss", 1.0 / (step + 1) + index, step=step)
                mlflow.log_metrics({"acc": step / 5 + index / 10, "grad_norm": math.nan if step == 2 else step * 0.5}, step=step)
        mlflow.log_metric("sweep_best_loss", 1.0 / 5 + index, step=index)
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 0]})
    dataset = mlflow.data.from_pandas(frame, source="s3://datasets/train.csv", name="train", targets="y")
    mlflow.log_input(dataset, context="training")
    with tempfile.TemporaryDirectory() as directory:
        notes = os.path.join(directory, "notes.txt")
        with open(notes, "w") as file:
            file.write("learning rate sweep\n")
        mlflow.log_artifact(notes)
        mlflow.log_artifact(notes, artifact_path="reports")
    model_info = mlflow.pyfunc.log_model(name="model", python_model=Doubler(), input_example=frame[["x"]])
    mlflow.log_metric("final_loss", 0.25)

client = MlflowClient()
runs = mlflow.search_runs(
    experiment_ids=[experiment.experiment_id],
    filter_string="metrics.loss < 1.5 and params.lr != '0.5'",
    order_by=["metrics.acc DESC"],
    output_format="list",
)
assert [run.info.run_name for run in runs] == ["child-1", "child-0"], [run.info.run_name for run in runs]
assert sorted(client.list_artifacts(parent.info.run_id), key=lambda f: f.path)[0].path == "notes.txt"
downloaded = mlflow.artifacts.download_artifacts(run_id=parent.info.run_id, artifact_path="reports/notes.txt")
assert open(downloaded).read() == "learning rate sweep\n"
assert [f.path for f in client.list_artifacts(parent.info.run_id, "reports")] == ["reports/notes.txt"]
# MLflow 3 finds a run's model files by searching its logged models by name.
assert "model/MLmodel" in [f.path for f in client.list_artifacts(parent.info.run_id, "model")]
mlmodel = mlflow.artifacts.download_artifacts(f"runs:/{parent.info.run_id}/model/MLmodel")
assert "python_function" in open(mlmodel).read()
client.set_experiment_tag(experiment.experiment_id, "scratch", "yes")
client.delete_experiment_tag(experiment.experiment_id, "scratch")
assert "scratch" not in client.get_experiment(experiment.experiment_id).tags

version = mlflow.register_model(model_info.model_uri, model_name)
client.set_registered_model_alias(model_name, "champion", version.version)
client.transition_model_version_stage(model_name, version.version, "Staging")
client.set_model_version_tag(model_name, version.version, "validated", "true")
loaded = mlflow.pyfunc.load_model(f"models:/{model_name}@champion")
assert list(loaded.predict(frame[["x"]])["x"]) == [2.0, 4.0, 6.0]
assert model_name in [model.name for model in client.search_registered_models()]
assert model_name in [model.name for model in client.search_registered_models(filter_string=f"name = '{model_name}'")]
assert [int(v.version) for v in client.search_model_versions(f"name = '{model_name}'")] == [int(version.version)]
runs_model = mlflow.pyfunc.load_model(f"runs:/{parent.info.run_id}/model")
assert list(runs_model.predict(frame[["x"]])["x"]) == [2.0, 4.0, 6.0]

# The raw REST answers, for the differential test.
base = os.environ["MLFLOW_TRACKING_URI"].rstrip("/") + "/api/2.0/mlflow"


def call(method, path, **kwargs):
    response = requests.request(method, f"{base}/{path}", timeout=30, **kwargs)
    return {"status": response.status_code, "body": response.json()}


child_ids = [run.info.run_id for run in sorted(runs, key=lambda run: run.info.run_name)]
answers = {
    "experiment": call("GET", "experiments/get-by-name", params={"experiment_name": experiment_name}),
    "search": call("POST", "runs/search", json={
        "experiment_ids": [experiment.experiment_id],
        "filter": "metrics.loss < 1.5",
        "order_by": ["metrics.acc DESC"],
        "max_results": 10,
    }),
    "search_all": call("POST", "runs/search", json={"experiment_ids": [experiment.experiment_id], "order_by": ["attributes.run_name ASC"]}),
    "history": [call("GET", "metrics/get-history", params={"run_id": run_id, "metric_key": key}) for run_id in child_ids for key in ["loss", "grad_norm"]],
    "history_page": call("GET", "metrics/get-history", params={"run_id": child_ids[0], "metric_key": "acc", "max_results": 2}),
    "model": call("GET", "registered-models/get", params={"name": model_name}),
    "version": call("GET", "model-versions/get", params={"name": model_name, "version": version.version}),
    "by_alias": call("GET", "registered-models/alias", params={"name": model_name, "alias": "champion"}),
    "latest": call("POST", "registered-models/get-latest-versions", json={"name": model_name, "stages": ["Staging"]}),
    "versions": call("GET", "model-versions/search", params={"filter": f"name = '{model_name}'"}),
    "missing_run": call("GET", "runs/get", params={"run_id": "0" * 32}),
    "bad_param": call("POST", "runs/log-parameter", json={"run_id": child_ids[0], "key": "lr", "value": "0.5"}),
    "missing_model": call("GET", "registered-models/get", params={"name": model_name + "-missing"}),
}
with open(output_file, "w") as file:
    json.dump({"experiment_id": experiment.experiment_id, "parent": parent.info.run_id, "children": child_ids, "answers": answers}, file)

"""TEMPORARY: replaced by the models branch's config builder at merge."""


def build_config(dataset, spec, training, lineage, name):
    return {
        "name": name or f"{dataset.name}-{spec.get('name', 'custom')}",
        "kind": dataset.kind,
        "task": dataset.task,
        "class_names": dataset.class_names,
        "input": {
            "shape": list(dataset.input_shape),
            "dtype": "uint8" if dataset.kind == "image" else "float32",
            "feature_names": dataset.feature_names,
        },
        "preprocessing": dataset.preprocessing,
        "spec": spec,
        "dataset": {
            "name": dataset.name,
            "description": dataset.describe(),
            "source": dataset.source,
        },
        "training": training,
        "lineage": lineage,
    }

from models import architecture
from tests.tiny_models import three_stage


def test_layer_rows_and_totals():
    model = three_stage()
    rows = architecture.layer_rows(model, stages=("s1", "s2", "s3"))
    assert [r["name"] for r in rows] == [layer.name for layer in model.layers]
    assert [r["ends stage"] for r in rows if r["ends stage"]] == [1, 2, 3]
    s2 = next(r for r in rows if r["name"] == "s2")
    assert s2["output shape"] == "(None, 8, 8, 8)" and s2["parameters"] == 3 * 3 * 4 * 8 + 8
    totals = architecture.totals(model)
    assert totals["parameters"] == sum(r["parameters"] for r in rows) == model.count_params()
    assert totals["non-trainable"] == 0

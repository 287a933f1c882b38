from pipeline.model.folds import deal_folds


def test_folds_are_dealt_round_robin_within_each_stratum():
    # six of "a" then three of "b": each fold gets two a's and one b
    strata = ["a"] * 6 + ["b"] * 3
    assert deal_folds(9, 3, strata).tolist() == [0, 1, 2, 0, 1, 2, 0, 1, 2]
    # interleaved strata are dealt apart: a's take folds 0,1,0; b's 0,1
    assert deal_folds(5, 2, ["a", "b", "a", "b", "a"]).tolist() == [0, 0, 1, 1, 0]


def test_without_strata_row_i_goes_to_fold_i_mod_folds():
    assert deal_folds(5, 2).tolist() == [0, 1, 0, 1, 0]
    assert deal_folds(3, 1).tolist() == [0, 1, 0]  # never fewer than two folds

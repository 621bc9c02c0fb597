from programme.participants.codes import (
    ALPHABET,
    CODE_LENGTH,
    display_code,
    generate_study_code,
    is_valid_code,
    normalise_code,
)


def test_generated_codes_are_valid_unambiguous_and_different():
    codes = {generate_study_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == CODE_LENGTH
        assert set(code) <= set(ALPHABET)
        assert is_valid_code(code)
    assert not set("IO01") & set(ALPHABET)


def test_every_single_character_typo_is_caught():
    code = generate_study_code()
    for position in range(CODE_LENGTH):
        for replacement in ALPHABET:
            if replacement != code[position]:
                typo = code[:position] + replacement + code[position + 1 :]
                assert not is_valid_code(typo), typo


def test_swapped_neighbours_are_caught_almost_always():
    caught = total = 0
    for _ in range(300):
        code = generate_study_code()
        for position in range(CODE_LENGTH - 1):
            if code[position] != code[position + 1]:
                total += 1
                swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
                caught += not is_valid_code(swapped)
    assert caught / total > 0.95


def test_typed_codes_are_normalised_before_checking():
    code = generate_study_code()
    typed = display_code(code).lower()
    assert "-" in typed
    assert normalise_code(typed) == code
    assert is_valid_code(f"  {typed} ")
    assert not is_valid_code("")
    assert not is_valid_code("ABC")
    assert not is_valid_code(code[:-1] + "0")


def test_a_mistyped_code_in_the_search_is_pointed_out(client, login_as, make_participant):
    from programme.participants.codes import generate_study_code

    login_as("evaluator")
    code = generate_study_code()
    make_participant(study_code=code)
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert 'data-testid="code-typo"' in client.get(f"/participants?q={wrong}").get_data(as_text=True)
    page = client.get(f"/participants?q={code.lower()}").get_data(as_text=True)
    assert 'data-testid="code-typo"' not in page and code[:4] in page

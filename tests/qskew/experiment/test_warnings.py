"""Each thread records its own warnings (a Dask worker may run two cells at once)."""

import threading
import warnings

from qskew.experiment._warnings import recorded


def messages(caught):
    return [str(w.message) for w in caught]


def test_interleaved_threads_keep_their_own_warnings():
    # A enters, B enters, A leaves, B warns, B leaves: with catch_warnings, B's warning
    # would be lost (A restored the state B had replaced) or land in A's list.
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    results = {}

    def a():
        with recorded() as caught:
            warnings.warn("from a", UserWarning)
            a_in.set()
            b_in.wait()
        a_out.set()
        results["a"] = messages(caught)

    def b():
        a_in.wait()
        with recorded() as caught:
            b_in.set()
            a_out.wait()
            warnings.warn("from b", UserWarning)
            warnings.warn("from b", UserWarning)  # every occurrence, not once
        results["b"] = messages(caught)

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {"a": ["from a"], "b": ["from b", "from b"]}


def test_a_helper_thread_records_into_the_only_open_block():
    with recorded() as caught:
        helper = threading.Thread(target=warnings.warn, args=("from a joblib thread",))
        helper.start()
        helper.join()
    assert messages(caught) == ["from a joblib thread"]


def test_blocks_nest_and_leave_the_warnings_state_as_it_was():
    filters, shown = list(warnings.filters), warnings.showwarning
    with recorded() as outer:
        warnings.warn("outer", UserWarning)
        with recorded() as inner:
            warnings.warn("inner", UserWarning)
        with warnings.catch_warnings():  # library code silencing a warning still does
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.warn("silenced", RuntimeWarning)
    assert (messages(outer), messages(inner)) == (["outer"], ["inner"])
    assert warnings.filters == filters and warnings.showwarning is shown

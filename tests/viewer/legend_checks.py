"""The legend check of the viewer's Qt tests (issue 14): at 1280x800 and 1920x1080, in single
and compare views, the screen boxes of all legends and titles do not intersect."""

from __future__ import annotations

from PyQt6.QtTest import QTest

from viewer.widgets.main_window import MainWindow


def assert_legends_apart(window: MainWindow, expected: dict[str, list[str]]) -> None:
    """In a 1280x800 and a 1920x1080 window, every view shows the ``expected`` legends (per view
    name, "a" or "b"), inside the view, no legend or title on another nor on the view's time
    label (with the pane's name), scale bar or north arrow."""
    renderers = {"a": window.renderer, "b": window.compare_renderer}
    before = (window.width(), window.height())
    for size in ((1280, 800), (1920, 1080)):
        window.resize(*size)
        QTest.qWait(50)
        assert (window.width(), window.height()) == size
        for name, titles in expected.items():
            renderer = renderers[name]
            assert renderer is not None
            renderer.plotter.render()
            assert list(renderer.legends.shown) == titles
            boxes = renderer.legends.screen_boxes()
            overlays = renderer.overlay_boxes()
            width, height = renderer.plotter.renderer.GetSize()
            assert len(boxes) == 2 * len(titles)
            for i, box in enumerate(boxes):
                assert box.width > 10 and box.height > 10
                assert box.x >= 0 and box.y >= 0
                assert box.x + box.width <= width and box.y + box.height <= height
                assert not any(box.intersects(other) for other in boxes[i + 1:]), (size, name, i)
                assert not any(box.intersects(other) for other in overlays), (size, name, i)
            for i, box in enumerate(overlays):
                assert box.width > 10 and box.height > 10, (size, name, i, box)
                assert not any(box.intersects(other) for other in overlays[i + 1:]), (size, name, i)
    window.resize(*before)

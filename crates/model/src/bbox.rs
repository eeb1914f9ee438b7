//! Bounding boxes as the API writes them, and the geometry checks every writer shares.

use crate::wire::wire_object;

wire_object! {
    /// One box (segment) of an item, in points with the origin at the top left and y growing
    /// down, in the same units as the page's width and height. Every field may be missing or
    /// `null` in real data; junk values are kept as given and flagged by [`BBox::problems`].
    pub struct BBox {
        /// Left edge.
        x: f64 => "x",
        /// Top edge.
        y: f64 => "y",
        /// Width.
        w: f64 => "w",
        /// Height.
        h: f64 => "h",
        /// The layout model's confidence, 0..1.
        confidence: f64 => "confidence",
        /// The layout model's class (`text`, `table`, `paragraph_title`...); free text.
        label: String => "label",
        /// First character of the item's `md` this box covers (Unicode scalar values).
        start_index: i64 => "start_index" | "startIndex",
        /// Last character (inclusive) of the item's `md` this box covers.
        end_index: i64 => "end_index" | "endIndex",
        /// Rotation in degrees, in the newest responses.
        r: f64 => "r",
    }
}

/// Something wrong with a box, as reported by [`BBox::problems`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum BoxProblem {
    /// A coordinate is missing or `null`.
    NullCoordinate,
    /// A coordinate is negative.
    Negative,
    /// Width or height is zero.
    ZeroSize,
    /// The box reaches outside the page.
    OutsidePage,
    /// The box covers most of the page (a layout fallback, not a real location).
    NearFullPage,
}

impl BoxProblem {
    /// Every problem, in report order.
    pub const ALL: [BoxProblem; 5] = [
        BoxProblem::NullCoordinate,
        BoxProblem::Negative,
        BoxProblem::ZeroSize,
        BoxProblem::OutsidePage,
        BoxProblem::NearFullPage,
    ];

    /// The stable snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            BoxProblem::NullCoordinate => "null_coordinate",
            BoxProblem::Negative => "negative",
            BoxProblem::ZeroSize => "zero_size",
            BoxProblem::OutsidePage => "outside_page",
            BoxProblem::NearFullPage => "near_full_page",
        }
    }
}

/// Share of the page area above which a box counts as "near full page".
pub const NEAR_FULL_PAGE_AREA: f64 = 0.9;
/// Points a box may overhang the page edge before it counts as outside (rounding noise).
pub const PAGE_EDGE_TOLERANCE: f64 = 1.0;

impl BBox {
    /// `[x, y, w, h]` when all four coordinates are present and finite.
    pub fn rect(&self) -> Option<[f64; 4]> {
        let r = [self.x?, self.y?, self.w?, self.h?];
        r.iter().all(|v| v.is_finite()).then_some(r)
    }

    /// The problems of this box on a page of the given size (size checks are skipped when the
    /// page size is unknown, as in client-library dumps).
    pub fn problems(&self, page_size: Option<(f64, f64)>) -> Vec<BoxProblem> {
        let mut out = Vec::new();
        let Some([x, y, w, h]) = self.rect() else {
            out.push(BoxProblem::NullCoordinate);
            return out;
        };
        if x < 0.0 || y < 0.0 || w < 0.0 || h < 0.0 {
            out.push(BoxProblem::Negative);
        }
        if w == 0.0 || h == 0.0 {
            out.push(BoxProblem::ZeroSize);
        }
        if let Some((pw, ph)) = page_size.filter(|(pw, ph)| *pw > 0.0 && *ph > 0.0) {
            let t = PAGE_EDGE_TOLERANCE;
            if x + w > pw + t || y + h > ph + t || x > pw || y > ph {
                out.push(BoxProblem::OutsidePage);
            }
            if w.abs() * h.abs() >= NEAR_FULL_PAGE_AREA * pw * ph {
                out.push(BoxProblem::NearFullPage);
            }
        }
        out
    }

    /// The box as `[x0, y0, x1, y1]` in 0..1 of the page, clamped to the page. `None` when a
    /// coordinate is missing or the page size is unknown.
    pub fn normalized(&self, page_width: f64, page_height: f64) -> Option<[f64; 4]> {
        let [x, y, w, h] = self.rect()?;
        if !(page_width > 0.0 && page_height > 0.0) {
            return None;
        }
        let (x0, x1) = (x.min(x + w), x.max(x + w));
        let (y0, y1) = (y.min(y + h), y.max(y + h));
        let c = |v: f64| v.clamp(0.0, 1.0);
        Some([
            c(x0 / page_width),
            c(y0 / page_height),
            c(x1 / page_width),
            c(y1 / page_height),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(x: Option<f64>, y: f64, w: Option<f64>, h: f64) -> BBox {
        BBox {
            x,
            y: Some(y),
            w,
            h: Some(h),
            ..Default::default()
        }
    }

    #[test]
    fn problems() {
        let page = Some((600.0, 800.0));
        assert!(
            bx(Some(10.0), 10.0, Some(100.0), 20.0)
                .problems(page)
                .is_empty()
        );
        assert_eq!(
            bx(None, 88.0, None, 693.0).problems(page),
            [BoxProblem::NullCoordinate]
        );
        assert_eq!(
            bx(Some(-3.0), 5.0, Some(10.0), 5.0).problems(page),
            [BoxProblem::Negative]
        );
        assert_eq!(
            bx(Some(3.0), 5.0, Some(0.0), 5.0).problems(page),
            [BoxProblem::ZeroSize]
        );
        assert_eq!(
            bx(Some(500.0), 5.0, Some(200.0), 5.0).problems(page),
            [BoxProblem::OutsidePage]
        );
        assert_eq!(
            bx(Some(0.0), 0.0, Some(600.0), 790.0).problems(page),
            [BoxProblem::NearFullPage]
        );
        // Unknown page size: only intrinsic checks.
        assert!(
            bx(Some(5000.0), 0.0, Some(6000.0), 7900.0)
                .problems(None)
                .is_empty()
        );
    }

    #[test]
    fn normalized_is_clamped() {
        let b = bx(Some(-10.0), 400.0, Some(310.0), 800.0);
        assert_eq!(b.normalized(600.0, 800.0), Some([0.0, 0.5, 0.5, 1.0]));
        assert_eq!(b.normalized(0.0, 800.0), None);
        assert_eq!(bx(None, 1.0, Some(1.0), 1.0).normalized(600.0, 800.0), None);
    }
}

//! A range-test curve: reading and writing `lr,loss` CSV files, and plotting.

use std::path::Path;

use burn_lr_core::ConfigError;
use burn_lr_plot::{Chart, PlotError, Series};

use crate::descent::SMOOTHING_WIDTH;
use crate::rule::{FASTAI_SMOOTHING, lag_free_losses};
use crate::smooth::two_sided;
use serde::Serialize;

use crate::range_test::LR_RANGE;
use crate::suggest::Suggestion;

/// The points of an LR range test, in sweep order (LR ascending).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SweepCurve {
    /// LR of each point.
    pub lrs: Vec<f64>,
    /// Smoothed loss of each point (the curve the suggestions read).
    pub losses: Vec<f64>,
    /// Raw loss of each point (empty for a curve read from a file).
    pub raw_losses: Vec<f64>,
}

impl SweepCurve {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.lrs.len()
    }

    /// Whether the curve has no point.
    pub fn is_empty(&self) -> bool {
        self.lrs.is_empty()
    }

    /// The points `range` of this curve (suggestions on a trimmed sweep keep
    /// indices into it by adding `range.start`).
    pub fn slice(&self, range: std::ops::Range<usize>) -> SweepCurve {
        let raw = if self.raw_losses.is_empty() {
            Vec::new()
        } else {
            self.raw_losses[range.clone()].to_vec()
        };
        SweepCurve {
            lrs: self.lrs[range.clone()].to_vec(),
            losses: self.losses[range].to_vec(),
            raw_losses: raw,
        }
    }

    /// Parses `lr,loss[,raw_loss]` rows. A first line that is not numeric is a
    /// header: it must name the columns `lr` and `loss`, and may name
    /// `raw_loss` (as [`to_csv`](Self::to_csv) writes), in any order; other
    /// columns are ignored. Without a header the columns are `lr`, `loss` and
    /// an optional raw loss, in that order. The raw losses are kept when every
    /// point has one; a raw column with a value on some rows only is an error.
    ///
    /// Rejects an empty file, non-numeric fields, non-positive or non-finite
    /// LRs, and LRs that do not increase. A non-finite loss (smoothed or raw)
    /// ends the curve there (as fastai cuts at the first NaN); the second
    /// value says where.
    pub fn parse_csv(text: &str) -> Result<(SweepCurve, Option<usize>), ConfigError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut curve = SweepCurve::default();
        let mut cut = None;
        let mut raw_losses = Vec::new();
        let mut hole = None;
        let mut columns = Columns::POSITIONAL;
        let rows = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        for (n, (line_no, line)) in rows.enumerate() {
            let line_no = line_no + 1;
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let number = |index: usize| fields.get(index).and_then(|f| f.parse::<f64>().ok());
            let Some((lr, loss)) = number(columns.lr).zip(number(columns.loss)) else {
                let words = fields.iter().all(|f| f.parse::<f64>().is_err());
                if n == 0 && fields.len() >= 2 && words {
                    columns = Columns::named(&fields, line_no)?;
                    continue;
                }
                return Err(ConfigError::row(
                    line_no,
                    format!("expected two numbers `lr,loss`, got `{line}`"),
                ));
            };
            if cut.is_some() {
                continue;
            }
            if !(LR_RANGE.0..=LR_RANGE.1).contains(&lr) {
                return Err(ConfigError::row(
                    line_no,
                    format!(
                        "the LR must be a number in [{:e}, {:e}], got {lr}",
                        LR_RANGE.0, LR_RANGE.1
                    ),
                ));
            }
            // The rules compare LRs and losses in f32, as fastai does.
            if let Some(&previous) = curve.lrs.last()
                && lr as f32 <= previous as f32
            {
                return Err(ConfigError::row(
                    line_no,
                    format!(
                        "LRs must increase along the sweep (in f32 precision), but \
                     {lr} follows {previous}"
                    ),
                ));
            }
            let raw = match columns.raw.and_then(|i| fields.get(i)) {
                None | Some(&"") => None,
                Some(cell) => Some(cell.parse::<f64>().map_err(|_| {
                    ConfigError::row(
                        line_no,
                        format!("expected a number or nothing for the raw loss, got `{cell}`"),
                    )
                })?),
            };
            // A non-finite raw loss is the same divergence as a non-finite
            // smoothed one.
            if !loss.is_finite() || raw.is_some_and(|r| !r.is_finite()) {
                cut = Some(curve.lrs.len());
                continue;
            }
            for value in [Some(loss), raw].into_iter().flatten() {
                if !(value as f32).is_finite() {
                    return Err(ConfigError::row(
                        line_no,
                        format!(
                            "the loss {value:e} is outside f32's range (|loss| <= {:e}), \
                         in which the suggestions are computed",
                            f32::MAX
                        ),
                    ));
                }
            }
            curve.lrs.push(lr);
            curve.losses.push(loss);
            match raw {
                Some(raw) => raw_losses.push(raw),
                None => {
                    hole.get_or_insert(line_no);
                }
            }
        }
        if let Some(line_no) = hole
            && !raw_losses.is_empty()
        {
            return Err(ConfigError::row(
                line_no,
                "the raw loss is missing here but given on other rows: give it on every row or on none",
            ));
        }
        curve.raw_losses = raw_losses;
        if curve.is_empty() {
            return Err(ConfigError::Missing {
                field: "loss".into(),
                allowed: match cut {
                    Some(_) => "at least one point with a finite loss (the first point's loss is not finite)",
                    None => "at least one point with a finite loss (the curve has no point)",
                }
                .into(),
            });
        }
        Ok((curve, cut))
    }

    /// `lr,loss,raw_loss` rows with a header (raw loss empty when unknown).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("lr,loss,raw_loss\n");
        for i in 0..self.len() {
            let raw = self
                .raw_losses
                .get(i)
                .map_or(String::new(), |r| format!("{r:?}"));
            out.push_str(&format!("{:?},{:?},{raw}\n", self.lrs[i], self.losses[i]));
        }
        out
    }

    /// Plots the loss against the LR (log x) with the suggestions marked;
    /// `.svg` or `.png` by extension. See [`chart`](Self::chart).
    pub fn plot(
        &self,
        path: impl AsRef<Path>,
        title: &str,
        suggestions: &[Suggestion],
    ) -> Result<(), PlotError> {
        self.chart(title, suggestions).save(path)
    }

    /// The chart [`plot`](Self::plot) draws, to add to (e.g. a shaded
    /// [`span`](Chart::span) of good LRs): the raw loss, the two-sided
    /// smoothed loss over 0.1 decade (no lag; the curve the hand-off looks
    /// for spikes on, its minimum read on a wider smoothing), the running
    /// average fastai's rules read, and each suggestion on the smoothed loss.
    /// Losses above 1.5x the first are left out (the blow-up would flatten
    /// the curve), and the x-axis title says so when there are any.
    pub fn chart(&self, title: &str, suggestions: &[Suggestion]) -> Chart {
        let (raw, _) = lag_free_losses(self, FASTAI_SMOOTHING);
        let raw = &raw;
        let smoothed = two_sided(&self.lrs, raw, SMOOTHING_WIDTH);
        // Points far above the curve's start (the blow-up) would flatten it: leave them out.
        let cap = 1.5
            * smoothed
                .first()
                .zip(raw.first())
                .map_or(f64::INFINITY, |(s, r)| s.max(*r));
        let points = |losses: &[f64]| {
            self.lrs
                .iter()
                .copied()
                .zip(losses.iter().copied())
                .filter(|(_, l)| *l <= cap)
                .collect()
        };
        let clipped = raw.iter().chain(&smoothed).any(|l| *l > cap);
        let x_title = if clipped {
            "learning rate (log scale); losses above 1.5x the first not drawn"
        } else {
            "learning rate (log scale)"
        };
        let mut chart = Chart::new(title, x_title, "loss")
            .log_x()
            .legend_lower_left();
        if !self.raw_losses.is_empty() {
            chart = chart.series(Series::new("raw loss", points(&self.raw_losses)));
        }
        chart = chart.series(Series::new(
            "two-sided smoothed loss (no lag)",
            points(&smoothed),
        ));
        if !self.raw_losses.is_empty() {
            chart = chart.series(Series::new(
                "running average (fastai's rules)",
                points(&self.losses),
            ));
        }
        for s in suggestions.iter().filter(|_| !self.is_empty()) {
            let nearest = self
                .lrs
                .partition_point(|&lr| lr < s.lr)
                .min(self.len() - 1);
            chart = chart.marker(
                format!("{}: {:.2e}", s.method.name(), s.lr),
                s.lr,
                smoothed[nearest],
            );
        }
        chart
    }
}

/// Where a curve file's columns are.
struct Columns {
    lr: usize,
    loss: usize,
    raw: Option<usize>,
}

impl Columns {
    /// A file without a header: `lr,loss[,raw_loss]`.
    const POSITIONAL: Columns = Columns {
        lr: 0,
        loss: 1,
        raw: Some(2),
    };

    /// The columns a header names (`lr`, `loss`, optionally `raw_loss`).
    fn named(names: &[&str], line_no: usize) -> Result<Self, ConfigError> {
        let find = |name: &str| names.iter().position(|n| n.eq_ignore_ascii_case(name));
        match (find("lr"), find("loss")) {
            (Some(lr), Some(loss)) => Ok(Columns {
                lr,
                loss,
                raw: find("raw_loss"),
            }),
            _ => Err(ConfigError::row(
                line_no,
                format!(
                    "the header must name the columns `lr` and `loss` (and may name `raw_loss`), got `{}`",
                    names.join(",")
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headers_and_cuts_at_the_first_non_finite_loss() {
        let (curve, cut) =
            SweepCurve::parse_csv("lr,loss\n0.001,2.0\n0.01,1.5\n0.1,NaN\n1,3\n").unwrap();
        assert_eq!(curve.lrs, [0.001, 0.01]);
        assert_eq!(cut, Some(2));
        assert!(curve.raw_losses.is_empty());
    }

    #[test]
    fn raw_losses_read_back_when_every_point_has_one() {
        let curve = SweepCurve {
            lrs: vec![0.001, 0.01, 0.1],
            losses: vec![2.0, 1.9, 1.7],
            raw_losses: vec![2.0, 1.8, 1.5],
        };
        assert_eq!(SweepCurve::parse_csv(&curve.to_csv()).unwrap().0, curve);
        let error = SweepCurve::parse_csv("0.001,2.0,2.0\n0.01,1.9,\n").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("line 2: the raw loss is missing here"),
            "a raw column with holes is refused: {error}"
        );
        let (none, _) = SweepCurve::parse_csv("0.001,2.0,\n0.01,1.9,\n").unwrap();
        assert!(
            none.raw_losses.is_empty(),
            "an empty raw column is no column"
        );
        // Columns are found by name, in any order, with others beside them.
        let (named, _) = SweepCurve::parse_csv(
            "\u{feff}step,LR,raw_loss,loss\n0,0.001,1.8,2.0\n1,0.01,1.5,1.9\n",
        )
        .unwrap();
        assert_eq!(named.lrs, [0.001, 0.01]);
        assert_eq!(named.losses, [2.0, 1.9]);
        assert_eq!(named.raw_losses, [1.8, 1.5]);
        let (cut, at) =
            SweepCurve::parse_csv("0.001,2.0,2.0\n0.01,1.9,NaN\n0.1,1.8,1.7\n").unwrap();
        assert_eq!(at, Some(1), "a non-finite raw loss ends the curve");
        assert_eq!(cut.raw_losses, vec![2.0], "and the raw column is kept");
    }

    #[test]
    fn rejects_bad_files_with_the_line() {
        for (text, expected) in [
            ("", "the curve has no point"),
            ("lr,loss\n", "the curve has no point"),
            ("0.1,abc\n", "line 1: expected two numbers"),
            (
                "0.1,1\n0,2\n",
                "line 2: the LR must be a number in [1e-30, 1e30]",
            ),
            ("1e-40,1\n", "line 1: the LR must be a number in"),
            ("0.1,1\n0.05,2\n", "line 2: LRs must increase"),
            (
                "0.1,1\n0.1000000001,2\n",
                "line 2: LRs must increase along the sweep (in f32 precision)",
            ),
            ("0.1,1e39\n", "line 1: the loss 1e39 is outside f32's range"),
            (
                "0.1,1,1e308\n",
                "line 1: the loss 1e308 is outside f32's range",
            ),
            (
                "0.1,1,x\n",
                "line 1: expected a number or nothing for the raw loss",
            ),
            (
                "step,loss\n0,1\n",
                "line 1: the header must name the columns `lr` and `loss`",
            ),
            ("lr,loss\n0.1,NaN\n", "the first point's loss is not finite"),
            ("0.1;1\n", "line 1: expected two numbers"),
            ("0.1\n", "line 1: expected two numbers"),
        ] {
            let error = SweepCurve::parse_csv(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
        let long = format!("0.1,{}\n", "x".repeat(1 << 20));
        let error = SweepCurve::parse_csv(&long).unwrap_err().to_string();
        assert!(error.len() < 400, "the line is cut: {} bytes", error.len());
    }
}

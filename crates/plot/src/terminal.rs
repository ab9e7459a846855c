//! A chart for the terminal.

use textplots::{Chart as TextChart, Plot, Shape};

/// Renders `points` as a braille line chart of `width` x `height` dots
/// (`width` >= 32, `height` >= 3), with the y range in the
/// header line.
pub fn terminal_chart(title: &str, points: &[(f64, f64)], width: u32, height: u32) -> String {
    let finite: Vec<(f32, f32)> = points
        .iter()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|&(x, y)| (x as f32, y as f32))
        .collect();
    let (Some(first), Some(last)) = (finite.first(), finite.last()) else {
        return format!("{title}: nothing to draw\n");
    };
    let (lo, hi) = finite
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &(_, y)| {
            (lo.min(y), hi.max(y))
        });
    let x_max = if last.0 > first.0 {
        last.0
    } else {
        first.0 + 1.0
    };
    let mut chart = TextChart::new(width, height, first.0, x_max);
    let shape = Shape::Lines(&finite);
    let plot = chart.lineplot(&shape);
    plot.axis();
    plot.figures();
    let body = plot.to_string();
    format!("{title}  (min {lo:.4e}, max {hi:.4e})\n{body}")
}

//! A chart for the terminal.

use textplots::{Chart as TextChart, Plot, Shape};

/// Renders `points` as a braille line chart of `width` x `height` dots
/// (`width` >= 32, `height` >= 3), with the y range in the header line.
/// The axis labels have one decimal, so y values all below 0.05 in size are
/// drawn in units of a power of ten (said in the header) rather than all
/// labelled 0.0.
pub fn terminal_chart(title: &str, points: &[(f64, f64)], width: u32, height: u32) -> String {
    let largest = points
        .iter()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .fold(0.0f64, |m, (_, y)| m.max(y.abs()));
    let exponent = if largest > 0.0 && largest < 0.05 {
        largest.log10().floor() as i32
    } else {
        0
    };
    let unit = 10f64.powi(exponent);
    let finite: Vec<(f32, f32)> = points
        .iter()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|&(x, y)| (x as f32, (y / unit) as f32))
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
    let (lo, hi) = (lo as f64 * unit, hi as f64 * unit);
    let units = if exponent == 0 {
        String::new()
    } else {
        format!("; y axis in units of 1e{exponent}")
    };
    format!("{title}  (min {lo:.4e}, max {hi:.4e}{units})\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_values_get_axis_labels_in_their_own_units() {
        let lrs: Vec<(f64, f64)> = (0..50)
            .map(|i| (i as f64, 0.02 * (1.0 - i as f64 / 50.0)))
            .collect();
        let chart = terminal_chart("lr", &lrs, 64, 16);
        assert!(chart.contains("units of 1e-2"), "{chart}");
        assert!(
            chart.contains("2.0"),
            "the top label reads 2.0 (x 1e-2): {chart}"
        );
        assert!(chart.contains("max 2.0000e-2"), "{chart}");
        let large: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, i as f64)).collect();
        assert!(!terminal_chart("x", &large, 64, 16).contains("units"));
    }
}

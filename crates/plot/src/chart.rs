//! SVG and PNG line charts.

use std::fmt;
use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// A named line of `(x, y)` points.
#[derive(Debug, Clone)]
pub struct Series {
    name: String,
    points: Vec<(f64, f64)>,
}

impl Series {
    /// A series; points with a non-finite coordinate are skipped when drawn.
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self {
            name: name.into(),
            points,
        }
    }
}

/// A labelled point drawn on top of the lines (e.g. a suggested LR).
#[derive(Debug, Clone)]
pub struct Marker {
    /// Legend text.
    pub label: String,
    /// Position.
    pub x: f64,
    /// Position.
    pub y: f64,
}

/// A shaded interval of x drawn behind the lines (e.g. a range of good LRs).
#[derive(Debug, Clone)]
pub struct Span {
    /// Legend text.
    pub label: String,
    /// Where it starts.
    pub from: f64,
    /// Where it ends.
    pub to: f64,
}

/// Why a chart could not be written.
#[derive(Debug)]
pub enum PlotError {
    /// The file name ends in neither `.svg` nor `.png`.
    Format(String),
    /// Nothing finite to draw.
    Empty,
    /// The drawing backend failed (e.g. the file cannot be created).
    Backend(String),
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Format(path) => write!(
                f,
                "cannot tell the plot format of `{path}`: use a .svg or .png name"
            ),
            Self::Empty => write!(f, "nothing to plot: every point is non-finite"),
            Self::Backend(message) => write!(f, "cannot draw the plot: {message}"),
        }
    }
}

impl std::error::Error for PlotError {}

/// A line chart with optional log axes and markers.
#[derive(Debug, Clone)]
pub struct Chart {
    title: String,
    x_label: String,
    y_label: String,
    log_x: bool,
    log_y: bool,
    series: Vec<Series>,
    markers: Vec<Marker>,
    spans: Vec<Span>,
    size: (u32, u32),
    legend_lower_left: bool,
}

impl Chart {
    /// An empty chart.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            log_x: false,
            log_y: false,
            series: Vec::new(),
            markers: Vec::new(),
            spans: Vec::new(),
            size: (900, 540),
            legend_lower_left: false,
        }
    }

    /// Adds a line.
    pub fn series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    /// Adds a marker.
    pub fn marker(mut self, label: impl Into<String>, x: f64, y: f64) -> Self {
        self.markers.push(Marker {
            label: label.into(),
            x,
            y,
        });
        self
    }

    /// Adds a shaded interval `[from, to]` of x, behind the lines (it does
    /// not widen the axes).
    pub fn span(mut self, label: impl Into<String>, from: f64, to: f64) -> Self {
        self.spans.push(Span {
            label: label.into(),
            from,
            to,
        });
        self
    }

    /// Puts the legend in the lower-left corner instead of the upper-right one.
    pub fn legend_lower_left(mut self) -> Self {
        self.legend_lower_left = true;
        self
    }

    /// Logarithmic x axis (points with x <= 0 are skipped).
    pub fn log_x(mut self) -> Self {
        self.log_x = true;
        self
    }

    /// Logarithmic y axis (points with y <= 0 are skipped).
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }

    /// Writes the chart; the format follows the extension (`.svg` or `.png`).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        static FONT_ONCE: Once = Once::new();
        FONT_ONCE.call_once(|| {
            // Both backends measure text with this font; the bundled file always parses.
            let _ = register_font("sans-serif", FontStyle::Normal, FONT);
        });
        let path = path.as_ref();
        match path.extension().and_then(|e| e.to_str()) {
            Some("svg") => self.draw(SVGBackend::new(path, self.size).into_drawing_area()),
            Some("png") => self.draw(BitMapBackend::new(path, self.size).into_drawing_area()),
            _ => Err(PlotError::Format(path.display().to_string())),
        }
    }

    fn keep(&self, (x, y): (f64, f64)) -> bool {
        x.is_finite() && y.is_finite() && (!self.log_x || x > 0.0) && (!self.log_y || y > 0.0)
    }

    fn bounds(&self) -> Option<((f64, f64), (f64, f64))> {
        let points = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().copied())
            .chain(self.markers.iter().map(|m| (m.x, m.y)))
            .filter(|p| self.keep(*p));
        let mut bounds: Option<((f64, f64), (f64, f64))> = None;
        for (x, y) in points {
            let ((x0, x1), (y0, y1)) = bounds.get_or_insert(((x, x), (y, y)));
            *x0 = x0.min(x);
            *x1 = x1.max(x);
            *y0 = y0.min(y);
            *y1 = y1.max(y);
        }
        bounds.map(|(x, y)| (pad(x, self.log_x), pad(y, self.log_y)))
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        let backend = |e: DrawingAreaErrorKind<DB::ErrorType>| PlotError::Backend(e.to_string());
        let ((x0, x1), (y0, y1)) = self.bounds().ok_or(PlotError::Empty)?;
        root.fill(&WHITE).map_err(backend)?;
        let mut builder = ChartBuilder::on(&root);
        builder
            .caption(&self.title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(78);
        // The four axis combinations have four coordinate types.
        match (self.log_x, self.log_y) {
            (false, false) => self.draw_on(
                (y0, y1),
                builder
                    .build_cartesian_2d(x0..x1, y0..y1)
                    .map_err(backend)?,
            ),
            (true, false) => self.draw_on(
                (y0, y1),
                builder
                    .build_cartesian_2d((x0..x1).log_scale(), y0..y1)
                    .map_err(backend)?,
            ),
            (false, true) => self.draw_on(
                (y0, y1),
                builder
                    .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
                    .map_err(backend)?,
            ),
            (true, true) => self.draw_on(
                (y0, y1),
                builder
                    .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
                    .map_err(backend)?,
            ),
        }?;
        root.present().map_err(backend)
    }

    fn draw_on<'a, DB, X, Y>(
        &self,
        (y0, y1): (f64, f64),
        mut chart: ChartContext<'a, DB, Cartesian2d<X, Y>>,
    ) -> Result<(), PlotError>
    where
        DB: DrawingBackend + 'a,
        DB::ErrorType: 'static,
        X: Ranged<ValueType = f64> + ValueFormatter<f64>,
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let backend = |e: DrawingAreaErrorKind<DB::ErrorType>| PlotError::Backend(e.to_string());
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .y_label_formatter(&|y| tick(*y))
            .x_label_formatter(&|x| tick(*x))
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 15))
            .draw()
            .map_err(backend)?;
        for span in &self.spans {
            let color = RGBColor(120, 190, 120);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(span.from, y0), (span.to, y1)],
                    color.mix(0.25).filled(),
                )))
                .map_err(backend)?
                .label(span.label.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 18, y + 5)], color.mix(0.4).filled())
                });
        }
        for (i, series) in self.series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let points = series.points.iter().copied().filter(|p| self.keep(*p));
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(backend)?
                .label(series.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
        }
        for (i, marker) in self.markers.iter().enumerate() {
            let color = PALETTE[(i + 3) % PALETTE.len()];
            let point = (marker.x, marker.y);
            if !self.keep(point) {
                continue;
            }
            chart
                .draw_series(std::iter::once(Circle::new(point, 6, color.filled())))
                .map_err(backend)?
                .label(marker.label.clone())
                .legend(move |(x, y)| Circle::new((x + 9, y), 5, color.filled()));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(if self.legend_lower_left {
                SeriesLabelPosition::LowerLeft
            } else {
                SeriesLabelPosition::UpperRight
            })
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(backend)
    }
}

/// A tick label: plain decimals for ordinary magnitudes, scientific otherwise.
fn tick(v: f64) -> String {
    let magnitude = v.abs();
    if v == 0.0 {
        "0".into()
    } else if (1e-2..1e5).contains(&magnitude) {
        let text = format!("{v:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.1e}")
    }
}

/// Grows a range so that flat data still spans a visible interval.
fn pad((lo, hi): (f64, f64), log: bool) -> (f64, f64) {
    if log {
        if hi > lo {
            (lo / 1.2, hi * 1.2)
        } else {
            (lo / 2.0, hi * 2.0)
        }
    } else {
        let margin = if hi > lo {
            (hi - lo) * 0.05
        } else {
            lo.abs().max(1.0) * 0.05
        };
        (lo - margin, hi + margin)
    }
}

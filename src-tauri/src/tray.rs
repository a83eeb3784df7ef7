//! The tray icon: the open-alerts count (Linux trays show no badge or tooltip, so the count is
//! drawn into the icon and written in the menu's first item) and a menu to open the window, the
//! alerts, sync now, or quit.

use crate::desktop::{self, Quitting};
use tauri::image::Image;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};

/// The app's own 32x32 icon, under the badge.
const BASE_ICON: &[u8] = include_bytes!("../../icons/32x32.png");

const ITEM_COUNT: &str = "alerts-count";
const ITEM_OPEN: &str = "open";
const ITEM_ALERTS: &str = "alerts";
const ITEM_SYNC: &str = "sync";
const ITEM_QUIT: &str = "quit";

/// Tauri state: the tray and the menu item that says the count.
pub struct AlertsTray<R: Runtime> {
    icon: TrayIcon<R>,
    count_item: MenuItem<R>,
    base: Image<'static>,
}

impl<R: Runtime> AlertsTray<R> {
    pub fn build(app: &AppHandle<R>) -> tauri::Result<Self> {
        let count_item = MenuItem::with_id(app, ITEM_COUNT, count_text(0), true, None::<&str>)?;
        let menu = Menu::with_items(
            app,
            &[
                &count_item,
                &PredefinedMenuItem::separator(app)?,
                &MenuItem::with_id(app, ITEM_OPEN, "Open Makini Desk", true, None::<&str>)?,
                &MenuItem::with_id(app, ITEM_ALERTS, "Alerts", true, None::<&str>)?,
                &MenuItem::with_id(app, ITEM_SYNC, "Sync now", true, None::<&str>)?,
                &PredefinedMenuItem::separator(app)?,
                &MenuItem::with_id(app, ITEM_QUIT, "Quit", true, None::<&str>)?,
            ],
        )?;
        let base = Image::from_bytes(BASE_ICON)?.to_owned();
        let icon = TrayIconBuilder::with_id("main")
            .icon(base.clone())
            .tooltip("Makini Desk")
            .menu(&menu)
            .on_menu_event(on_menu_event)
            .build(app)?;
        Ok(Self {
            icon,
            count_item,
            base,
        })
    }

    /// Shows `open` alerts: the icon's badge and the menu's first item.
    pub fn set_count(&self, open: u32) {
        let mut rgba = self.base.rgba().to_vec();
        draw_badge(&mut rgba, self.base.width(), self.base.height(), open);
        let icon = Image::new_owned(rgba, self.base.width(), self.base.height());
        if let Err(err) = self.icon.set_icon(Some(icon)) {
            tracing::warn!(error = %err, "cannot redraw the tray icon");
        }
        if let Err(err) = self.count_item.set_text(count_text(open)) {
            tracing::warn!(error = %err, "cannot update the tray's alert count");
        }
        tracing::info!(open_alerts = open, "tray count");
    }
}

fn count_text(open: u32) -> String {
    match open {
        0 => "No open alerts".to_owned(),
        1 => "1 open alert".to_owned(),
        n => format!("{n} open alerts"),
    }
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    match event.id.as_ref() {
        ITEM_OPEN => desktop::show_window(app, None),
        ITEM_COUNT | ITEM_ALERTS => desktop::show_window(app, Some("/alerts")),
        ITEM_SYNC => desktop::sync_now(app),
        ITEM_QUIT => {
            if let Some(quitting) = app.try_state::<Quitting>() {
                quitting.set();
            }
            app.exit(0);
        }
        other => tracing::debug!(item = other, "a tray menu item without an action"),
    }
}

/// The badge's red, and the digits' white.
const BADGE: [u8; 4] = [0xd9, 0x2d, 0x20, 0xff];
const DIGIT: [u8; 4] = [0xff, 0xff, 0xff, 0xff];

/// 3x5 digits, one row per byte, the low three bits left to right.
const FONT: [[u8; 5]; 10] = [
    [0b111, 0b101, 0b101, 0b101, 0b111],
    [0b010, 0b110, 0b010, 0b010, 0b111],
    [0b111, 0b001, 0b111, 0b100, 0b111],
    [0b111, 0b001, 0b111, 0b001, 0b111],
    [0b101, 0b101, 0b111, 0b001, 0b001],
    [0b111, 0b100, 0b111, 0b001, 0b111],
    [0b111, 0b100, 0b111, 0b101, 0b111],
    [0b111, 0b001, 0b010, 0b010, 0b010],
    [0b111, 0b101, 0b111, 0b101, 0b111],
    [0b111, 0b101, 0b111, 0b001, 0b111],
];

/// Draws the count as a red pill with white digits in the lower right of an RGBA image
/// (`99` at most: a tray icon has no room for more, and the menu says the exact number).
/// Zero draws nothing.
pub fn draw_badge(rgba: &mut [u8], width: u32, height: u32, count: u32) {
    if count == 0 || rgba.len() < (width * height * 4) as usize {
        return;
    }
    let digits: Vec<usize> = count
        .min(99)
        .to_string()
        .bytes()
        .map(|byte| usize::from(byte - b'0'))
        .collect();
    // Digits at scale `s`: each 3s wide with s between, 5s tall, s of padding around.
    let s = (height / 16).max(1);
    let text_width = digits.len() as u32 * 4 * s - s;
    let badge_width = (text_width + 4 * s).min(width);
    let badge_height = (5 * s + 4 * s).min(height);
    let left = width - badge_width;
    let top = height - badge_height;
    let radius = badge_height / 2;
    let mut put = |x: u32, y: u32, color: [u8; 4]| {
        let at = ((y * width + x) * 4) as usize;
        rgba[at..at + 4].copy_from_slice(&color);
    };
    for y in top..height {
        for x in left..width {
            // Rounded ends: outside the end circles stays the icon.
            let cy = top + radius;
            let inside = if x < left + radius {
                within(x, y, left + radius, cy, radius)
            } else if x >= width - radius {
                within(x, y, width - radius - 1, cy, radius)
            } else {
                true
            };
            if inside {
                put(x, y, BADGE);
            }
        }
    }
    let text_left = left + (badge_width - text_width) / 2;
    let text_top = top + 2 * s;
    for (index, digit) in digits.iter().enumerate() {
        let digit_left = text_left + index as u32 * 4 * s;
        for (row, bits) in FONT[*digit].iter().enumerate() {
            for column in 0..3u32 {
                if bits & (0b100 >> column) == 0 {
                    continue;
                }
                for dy in 0..s {
                    for dx in 0..s {
                        put(
                            digit_left + column * s + dx,
                            text_top + row as u32 * s + dy,
                            DIGIT,
                        );
                    }
                }
            }
        }
    }
}

fn within(x: u32, y: u32, cx: u32, cy: u32, radius: u32) -> bool {
    let dx = i64::from(x) - i64::from(cx);
    let dy = i64::from(y) - i64::from(cy);
    dx * dx + dy * dy <= i64::from(radius) * i64::from(radius)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank(size: u32) -> Vec<u8> {
        vec![0x10; (size * size * 4) as usize]
    }

    fn pixel(rgba: &[u8], width: u32, x: u32, y: u32) -> [u8; 4] {
        let at = ((y * width + x) * 4) as usize;
        [rgba[at], rgba[at + 1], rgba[at + 2], rgba[at + 3]]
    }

    #[test]
    fn no_alerts_leave_the_icon_alone() {
        let mut icon = blank(32);
        draw_badge(&mut icon, 32, 32, 0);
        assert_eq!(icon, blank(32));
    }

    #[test]
    fn a_count_is_a_red_badge_with_white_digits_in_the_lower_right() {
        let mut icon = blank(32);
        draw_badge(&mut icon, 32, 32, 3);
        assert_eq!(
            pixel(&icon, 32, 0, 0),
            [0x10; 4],
            "the top left is the icon"
        );
        let colors: Vec<[u8; 4]> = (16..32)
            .flat_map(|y| (16..32).map(move |x| (x, y)))
            .map(|(x, y)| pixel(&icon, 32, x, y))
            .collect();
        assert!(colors.contains(&BADGE) && colors.contains(&DIGIT));
        // Two digits draw a wider badge than one.
        let mut wide = blank(32);
        draw_badge(&mut wide, 32, 32, 42);
        let red = |rgba: &[u8]| rgba.chunks(4).filter(|px| *px == BADGE).count();
        let white = |rgba: &[u8]| rgba.chunks(4).filter(|px| *px == DIGIT).count();
        assert!(red(&wide) + white(&wide) > red(&icon) + white(&icon));
        let mut many = blank(32);
        draw_badge(&mut many, 32, 32, 1234);
        assert_eq!(many, {
            let mut ninety_nine = blank(32);
            draw_badge(&mut ninety_nine, 32, 32, 99);
            ninety_nine
        });
    }

    #[test]
    fn the_menu_says_the_exact_count() {
        assert_eq!(count_text(0), "No open alerts");
        assert_eq!(count_text(1), "1 open alert");
        assert_eq!(count_text(120), "120 open alerts");
    }
}

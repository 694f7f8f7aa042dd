//! The kiosk's panel hardware on the Raspberry Pi's GPIO header: a PIR
//! presence sensor that wakes the screen from the attract screen, a "call
//! staff" button, and a status light (steady: ready; blinking: printer
//! problem; off: not running).
//!
//! The real pins (`rppal`) are behind the `gpio` cargo feature, on in the
//! device build; desktops and tests use [`Simulated`], which is driven by
//! the same events.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anjungan::config::KioskConfig;

/// Something that happened at the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelEvent {
    /// Someone stepped in front of the kiosk.
    Presence,
    /// The "call staff" button was pressed.
    CallStaff,
}

/// What the status light shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Light {
    /// Steady on: ready.
    Ready,
    /// Blinking: the printer needs a person.
    PrinterProblem,
    /// Off: not running.
    #[default]
    Off,
}

/// How often the light changes when blinking.
pub const BLINK: Duration = Duration::from_millis(500);

/// Whether the light is lit at blink tick `tick` (one tick per [`BLINK`]).
pub fn lit(light: Light, tick: u64) -> bool {
    match light {
        Light::Ready => true,
        Light::PrinterProblem => tick.is_multiple_of(2),
        Light::Off => false,
    }
}

/// The panel the kiosk talks to; events arrive on the receiver returned
/// when it is opened.
pub trait Panel: Send {
    fn set_light(&self, light: Light);
}

/// A panel without hardware: tests and desktops send events through
/// [`Simulated::press`] and read the light back.
#[derive(Clone)]
pub struct Simulated {
    events: Sender<PanelEvent>,
    light: Arc<Mutex<Light>>,
}

impl Simulated {
    pub fn open() -> (Simulated, Receiver<PanelEvent>) {
        let (events, rx) = channel();
        (
            Simulated {
                events,
                light: Arc::default(),
            },
            rx,
        )
    }

    pub fn press(&self, event: PanelEvent) {
        let _ = self.events.send(event);
    }

    pub fn light(&self) -> Light {
        *self.light.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Panel for Simulated {
    fn set_light(&self, light: Light) {
        *self.light.lock().unwrap_or_else(|e| e.into_inner()) = light;
    }
}

/// Opens the panel the configuration describes: the real pins with the
/// `gpio` feature and any pin configured, else a simulated panel.
pub fn open(config: &KioskConfig) -> anyhow::Result<(Box<dyn Panel>, Receiver<PanelEvent>)> {
    #[cfg(feature = "gpio")]
    if config.presence_pin.is_some()
        || config.call_button_pin.is_some()
        || config.status_led_pin.is_some()
    {
        let (panel, rx) = pins::Pins::open(config)?;
        return Ok((Box::new(panel), rx));
    }
    let _ = config;
    let (panel, rx) = Simulated::open();
    Ok((Box::new(panel), rx))
}

/// Turns the status light off, for `ExecStopPost=` of the kiosk's unit: a
/// kiosk that crashed or was killed had no chance to turn it off itself.
pub fn light_off(config: &KioskConfig) -> anyhow::Result<()> {
    #[cfg(feature = "gpio")]
    if let Some(pin) = config.status_led_pin {
        use anyhow::Context;
        let mut led = rppal::gpio::Gpio::new()
            .context("cannot open the GPIO")?
            .get(pin)
            .with_context(|| format!("GPIO pin {pin} is not available"))?
            .into_output_low();
        led.set_reset_on_drop(false);
    }
    let _ = config;
    Ok(())
}

#[cfg(feature = "gpio")]
mod pins {
    use super::*;
    use anyhow::Context;
    use rppal::gpio::{Gpio, InputPin, OutputPin, Trigger};

    /// The real pins. Inputs interrupt on a rising edge, debounced; the
    /// light is driven by a thread so blinking needs nobody's attention,
    /// and set at once on a change (off must be off before the process
    /// ends).
    pub struct Pins {
        light: Arc<Mutex<Light>>,
        led: Option<Arc<Mutex<OutputPin>>>,
        /// Kept so their interrupts stay armed.
        _inputs: Vec<InputPin>,
    }

    impl Pins {
        pub fn open(config: &KioskConfig) -> anyhow::Result<(Pins, Receiver<PanelEvent>)> {
            let gpio = Gpio::new().context("cannot open the GPIO (/dev/gpiomem); is this a Raspberry Pi, and is the user in the gpio group?")?;
            let (tx, rx) = channel();
            let mut inputs = Vec::new();
            for (pin, event) in [
                (config.presence_pin, PanelEvent::Presence),
                (config.call_button_pin, PanelEvent::CallStaff),
            ] {
                let Some(pin) = pin else { continue };
                let mut input = gpio
                    .get(pin)
                    .with_context(|| format!("GPIO pin {pin} is not available"))?
                    .into_input_pulldown();
                let tx = tx.clone();
                input
                    .set_async_interrupt(
                        Trigger::RisingEdge,
                        Some(Duration::from_millis(50)),
                        move |_| {
                            let _ = tx.send(event);
                        },
                    )
                    .with_context(|| format!("cannot watch GPIO pin {pin}"))?;
                inputs.push(input);
            }
            let light = Arc::new(Mutex::new(Light::Ready));
            let mut led = None;
            if let Some(pin) = config.status_led_pin {
                let mut output = gpio
                    .get(pin)
                    .with_context(|| format!("GPIO pin {pin} is not available"))?
                    .into_output_low();
                // Left as last set when the process ends: off, by then.
                output.set_reset_on_drop(false);
                let output = Arc::new(Mutex::new(output));
                led = Some(output.clone());
                let light = light.clone();
                std::thread::spawn(move || {
                    for tick in 0u64.. {
                        // The state is read under the pin's lock, so a
                        // change (off, at exit) is never overwritten by a
                        // blink that read the old state.
                        let mut led = output.lock().unwrap_or_else(|e| e.into_inner());
                        let state = *light.lock().unwrap_or_else(|e| e.into_inner());
                        drive(&mut led, lit(state, tick));
                        drop(led);
                        std::thread::sleep(BLINK);
                    }
                });
            }
            Ok((
                Pins {
                    light,
                    led,
                    _inputs: inputs,
                },
                rx,
            ))
        }
    }

    fn drive(led: &mut OutputPin, on: bool) {
        if on {
            led.set_high();
        } else {
            led.set_low();
        }
    }

    impl Panel for Pins {
        fn set_light(&self, light: Light) {
            match &self.led {
                Some(led) => {
                    let mut led = led.lock().unwrap_or_else(|e| e.into_inner());
                    *self.light.lock().unwrap_or_else(|e| e.into_inner()) = light;
                    drive(&mut led, lit(light, 0));
                }
                None => *self.light.lock().unwrap_or_else(|e| e.into_inner()) = light,
            }
        }
    }

    impl Drop for Pins {
        fn drop(&mut self) {
            self.set_light(Light::Off);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_light_says_how_the_kiosk_is() {
        assert!((0..4).all(|t| lit(Light::Ready, t)));
        assert!((0..4).all(|t| !lit(Light::Off, t)));
        let blinks: Vec<bool> = (0..4).map(|t| lit(Light::PrinterProblem, t)).collect();
        assert_eq!(blinks, [true, false, true, false]);
    }

    #[test]
    fn simulated_panel_carries_events_and_light() {
        let (panel, events) = Simulated::open();
        panel.press(PanelEvent::Presence);
        panel.press(PanelEvent::CallStaff);
        assert_eq!(events.try_recv(), Ok(PanelEvent::Presence));
        assert_eq!(events.try_recv(), Ok(PanelEvent::CallStaff));
        panel.set_light(Light::PrinterProblem);
        assert_eq!(panel.light(), Light::PrinterProblem);
    }

    #[test]
    fn without_pins_the_panel_is_simulated() {
        let (panel, events) = open(&KioskConfig::default()).unwrap();
        panel.set_light(Light::Ready);
        assert!(events.try_recv().is_err());
    }
}

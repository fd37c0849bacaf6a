// Where codes come from: a hardware scanner typing into the field (it ends with Enter), a hand typing,
// or the camera. And how the person knows at once: colour, sound, vibration.
let handler = null;
let detector = null;
let stream = null;

export function onScan(fn) { handler = fn; }

export function setupScanbar() {
  const form = document.getElementById("scanbar");
  const input = document.getElementById("scan");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = input.value.trim();
    input.value = "";
    if (code && handler) handler(code, "keyboard");
  });
  document.getElementById("camera").addEventListener("click", () => startCamera().catch((e) => feedback(false, String(e))));
  document.getElementById("camera-off").addEventListener("click", stopCamera);
}

export function showScanbar(show, placeholder = "") {
  const form = document.getElementById("scanbar");
  form.hidden = !show;
  const input = document.getElementById("scan");
  input.placeholder = placeholder;
  if (show) setTimeout(() => input.focus({ preventScroll: true }), 0);
  else stopCamera();
}

async function makeDetector() {
  const formats = ["qr_code", "ean_13", "ean_8", "upc_a", "upc_e", "code_128"];
  if ("BarcodeDetector" in window) return new window.BarcodeDetector({ formats });
  if (!window.BarcodeDetectionAPI) {
    await new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/static/vendor/barcode-detector/ponyfill.js";
      script.onload = resolve;
      script.onerror = () => reject(new Error("the barcode decoder did not load"));
      document.head.appendChild(script);
    });
  }
  const lib = window.BarcodeDetectionAPI;
  // the decoder's wasm comes from our server, never from a CDN
  lib.setZXingModuleOverrides({
    locateFile: (path, prefix) => (path.endsWith(".wasm") ? `/static/vendor/zxing-wasm/${path}` : prefix + path),
  });
  return new lib.BarcodeDetector({ formats });
}

export async function startCamera() {
  detector ??= await makeDetector();
  stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  const video = document.getElementById("video");
  video.srcObject = stream;
  document.getElementById("camera-box").hidden = false;
  await video.play();
  window.fahuoCameraStarted = performance.now();
  const look = async () => {
    if (!stream) return;
    try {
      const found = await detector.detect(video);
      if (found.length) {
        window.fahuoCameraDecoded = performance.now();
        const code = found[0].rawValue;
        stopCamera();
        if (handler) handler(code, "camera");
        return;
      }
    } catch (err) { /* a frame that is not ready yet */ }
    setTimeout(look, 120);
  };
  look();
}

export function stopCamera() {
  if (stream) stream.getTracks().forEach((track) => track.stop());
  stream = null;
  const box = document.getElementById("camera-box");
  if (box) box.hidden = true;
}

let audio = null;
function beep(ok) {
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = ok ? 1320 : 220;
    osc.type = ok ? "sine" : "square";
    gain.gain.value = 0.15;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + (ok ? 0.08 : 0.45));
  } catch (err) { /* no sound on this device */ }
}

let hideTimer = null;
export function feedback(ok, message, kind) {
  const box = document.getElementById("feedback");
  box.className = kind || (ok ? "ok" : "bad");
  box.textContent = message;
  box.hidden = false;
  beep(ok);
  if (navigator.vibrate) navigator.vibrate(ok ? 60 : [200, 80, 200]);
  clearTimeout(hideTimer);
  hideTimer = setTimeout(() => { box.hidden = true; }, ok ? 2500 : 8000);
}

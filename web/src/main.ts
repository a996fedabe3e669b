// Viewer entry point (bootstrapping; the full app is assembled in app.ts).
document.title = 'latentmap';

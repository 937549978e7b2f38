// wiretrail's browser fetches scripts but does not run them.
document.documentElement.classList.add('js');

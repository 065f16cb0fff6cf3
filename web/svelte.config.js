// Svelte options shared by the Vite plugin and svelte-check: this app is written in runes mode only.
export default {
  compilerOptions: { runes: true },
};

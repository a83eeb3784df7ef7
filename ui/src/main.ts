import { mount } from 'svelte';
import './lib/design/tokens.css';
import './lib/design/base.css';
import App from './App.svelte';
import { theme } from './lib/state/theme.svelte';

theme.apply();
const target = document.getElementById('app');
if (!target) throw new Error('index.html lost its #app element');
mount(App, { target });

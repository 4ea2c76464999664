/**
 * The scripted website run: the paper's conference prompt, two plan candidates, and a three-page site with
 * one stylesheet (the files beside this module), each page written by its own task in parallel.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PlanInput, TaskInput } from '../../../src/core/plan/schema';
import { PAPER_PROMPTS } from '../prompts';
import type { AgentAnswer, ScriptedTask } from './types';

const SOURCE = path.join(__dirname, 'website');
const FILES: Record<string, string> = { 'site-home': 'index.html', 'site-schedule': 'schedule.html', 'site-venue': 'venue.html', 'site-style': 'style.css' };

const task = (id: string, title: string, objective: string, deps: string[] = []): TaskInput => ({
  id,
  title,
  objective,
  role: id === 'site-style' ? 'web designer' : 'web developer',
  deps,
  files: [FILES[id]!],
  acceptance: ['valid HTML5 / CSS', 'name, dates, location and organiser where relevant'],
});

const tasks = [
  task('site-home', 'Home page', 'index.html: hero with the name, dates, location and organiser; about; important dates; links to schedule and venue.'),
  task('site-schedule', 'Schedule page', 'schedule.html: the day-by-day conference schedule as a table.'),
  task('site-venue', 'Venue page', 'venue.html: the venue with an embedded map, travel and hotels.'),
  task('site-style', 'Stylesheet', 'style.css: a professional, responsive style shared by every page.'),
];
const goal = 'A website for ICLR 2025 with schedule and venue (with a map) sections, and a stylesheet';
const plan = (ts: TaskInput[]): PlanInput => ({ goal, tasks: ts });

export const website: ScriptedTask = {
  name: 'website',
  prompt: PAPER_PROMPTS.website,
  candidates: [plan(tasks), plan(tasks.map((t) => (t.id === 'site-style' ? t : { ...t, deps: ['site-style'] })))],
  files(id): AgentAnswer | undefined {
    const file = FILES[id];
    return file ? { files: { [file]: readFileSync(path.join(SOURCE, file), 'utf8') } } : undefined;
  },
};

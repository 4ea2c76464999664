/**
 * The scripted slides run: the paper's beamer prompt, two plan candidates, and a 30-page deck on five RL
 * algorithms (each with motivation, problem, intuitive solution, equations and the algorithm), split over
 * four files so that three tasks write in parallel and the main document includes them.
 */
import type { PlanInput, TaskInput } from '../../../src/core/plan/schema';
import { PAPER_PROMPTS } from '../prompts';
import type { AgentAnswer, ScriptedTask } from './types';

interface Algorithm {
  name: string;
  motivation: string[];
  problem: string[];
  intuition: string[];
  equations: string;
  steps: string[];
}

const ALGORITHMS: Record<'value' | 'policy', Algorithm[]> = {
  value: [
    {
      name: 'Q-learning',
      motivation: ['We rarely know the transition model $P(s\' \\mid s,a)$.', 'We want the optimal policy from sampled experience alone.'],
      problem: ['Estimate $Q^*(s,a)$, the value of taking $a$ in $s$ and acting optimally afterwards.', 'Learn off-policy: behave exploratorily, learn about the greedy policy.'],
      intuition: ['Bootstrap: move the estimate towards reward plus the best next estimate.', 'Repeated small corrections converge to the Bellman optimality fixed point.'],
      equations: '\\begin{equation}\n  Q(s_t,a_t) \\leftarrow Q(s_t,a_t) + \\alpha \\big[ r_{t+1} + \\gamma \\max_{a\'} Q(s_{t+1},a\') - Q(s_t,a_t) \\big]\n\\end{equation}\n\\begin{equation}\n  Q^*(s,a) = \\mathbb{E}\\big[ r + \\gamma \\max_{a\'} Q^*(s\',a\') \\mid s,a \\big]\n\\end{equation}',
      steps: ['Initialise $Q$ arbitrarily', 'Choose $a$ $\\epsilon$-greedily, observe $r, s\'$', 'Apply the update; $s \\leftarrow s\'$', 'Repeat until convergence'],
    },
    {
      name: 'SARSA',
      motivation: ['Off-policy targets can be unsafe while exploring.', 'We may want the value of the policy we actually follow.'],
      problem: ['Estimate $Q^{\\pi}$ for the current $\\epsilon$-greedy policy $\\pi$.', 'Improve $\\pi$ while evaluating it (on-policy control).'],
      intuition: ['Use the action actually taken next, not the greedy one.', 'The agent learns to avoid risky states its exploration visits.'],
      equations: '\\begin{equation}\n  Q(s_t,a_t) \\leftarrow Q(s_t,a_t) + \\alpha \\big[ r_{t+1} + \\gamma Q(s_{t+1},a_{t+1}) - Q(s_t,a_t) \\big]\n\\end{equation}\n\\begin{equation}\n  Q^{\\pi}(s,a) = \\mathbb{E}_{\\pi}\\big[ r + \\gamma Q^{\\pi}(s\',a\') \\mid s,a \\big]\n\\end{equation}',
      steps: ['Observe $s$, choose $a$ from $\\pi$', 'Take $a$, observe $r, s\'$, choose $a\'$ from $\\pi$', 'Update with $(s,a,r,s\',a\')$', 'Let $\\pi$ follow the new $Q$'],
    },
    {
      name: 'Deep Q-Networks',
      motivation: ['Tables do not scale to images or continuous states.', 'We need generalisation across states.'],
      problem: ['Fit $Q_\\theta(s,a)$ with a neural network.', 'Naive bootstrapping with function approximation diverges.'],
      intuition: ['Replay buffer: break the correlation of consecutive samples.', 'Target network: keep the regression target still for a while.'],
      equations: '\\begin{equation}\n  L(\\theta) = \\mathbb{E}_{(s,a,r,s\') \\sim \\mathcal{D}}\\Big[ \\big( r + \\gamma \\max_{a\'} Q_{\\theta^-}(s\',a\') - Q_\\theta(s,a) \\big)^2 \\Big]\n\\end{equation}\n\\begin{equation}\n  \\theta \\leftarrow \\theta - \\eta \\nabla_\\theta L(\\theta), \\qquad \\theta^- \\leftarrow \\theta \\text{ every } C \\text{ steps}\n\\end{equation}',
      steps: ['Act $\\epsilon$-greedily, store transitions in $\\mathcal{D}$', 'Sample a minibatch from $\\mathcal{D}$', 'Take a gradient step on $L(\\theta)$', 'Copy $\\theta$ to $\\theta^-$ periodically'],
    },
  ],
  policy: [
    {
      name: 'REINFORCE',
      motivation: ['Value-based methods struggle with continuous actions.', 'Sometimes the best policy is stochastic.'],
      problem: ['Optimise a parameterised policy $\\pi_\\theta(a \\mid s)$ directly.', 'Maximise $J(\\theta) = \\mathbb{E}_{\\tau \\sim \\pi_\\theta}[G_0]$ without a model.'],
      intuition: ['Make actions followed by high returns more likely.', 'A baseline lowers the variance without adding bias.'],
      equations: '\\begin{equation}\n  \\nabla_\\theta J(\\theta) = \\mathbb{E}_{\\pi_\\theta}\\Big[ \\sum_t \\nabla_\\theta \\log \\pi_\\theta(a_t \\mid s_t)\\, (G_t - b(s_t)) \\Big]\n\\end{equation}\n\\begin{equation}\n  G_t = \\sum_{k=t}^{T} \\gamma^{k-t} r_{k+1}\n\\end{equation}',
      steps: ['Sample an episode with $\\pi_\\theta$', 'Compute returns $G_t$', 'Step $\\theta$ along the gradient estimate', 'Repeat'],
    },
    {
      name: 'Proximal Policy Optimization',
      motivation: ['Policy gradients are sample-hungry and unstable with large steps.', 'Trust-region methods are stable but complex.'],
      problem: ['Reuse each batch for several updates.', 'Keep the new policy close to the one that collected the data.'],
      intuition: ['Clip the probability ratio so no update moves too far.', 'A pessimistic bound: take the smaller of clipped and unclipped objectives.'],
      equations: '\\begin{equation}\n  r_t(\\theta) = \\frac{\\pi_\\theta(a_t \\mid s_t)}{\\pi_{\\theta_{\\text{old}}}(a_t \\mid s_t)}\n\\end{equation}\n\\begin{equation}\n  L^{\\text{CLIP}}(\\theta) = \\mathbb{E}_t\\Big[ \\min\\big( r_t(\\theta) \\hat{A}_t,\\ \\operatorname{clip}(r_t(\\theta), 1-\\epsilon, 1+\\epsilon) \\hat{A}_t \\big) \\Big]\n\\end{equation}',
      steps: ['Collect trajectories with $\\pi_{\\theta_{\\text{old}}}$', 'Estimate advantages $\\hat{A}_t$ (GAE)', 'Several epochs of minibatch ascent on $L^{\\text{CLIP}}$', '$\\theta_{\\text{old}} \\leftarrow \\theta$'],
    },
  ],
};

const items = (xs: string[]): string => `\\begin{itemize}\n${xs.map((x) => `  \\item ${x}`).join('\n')}\n\\end{itemize}`;
const frame = (title: string, body: string): string => `\\begin{frame}{${title}}\n${body}\n\\end{frame}\n`;

function algorithmSlides(a: Algorithm): string {
  return [
    `\\section{${a.name}}\n`,
    frame(`${a.name}: motivation`, items(a.motivation)),
    frame(`${a.name}: the problem`, items(a.problem)),
    frame(`${a.name}: intuitive solution`, items(a.intuition)),
    frame(`${a.name}: the equations`, a.equations),
    frame(`${a.name}: the algorithm`, `\\begin{enumerate}\n${a.steps.map((s) => `  \\item ${s}`).join('\n')}\n\\end{enumerate}`),
  ].join('\n');
}

const INTRO = [
  '\\section{Introduction}\n',
  frame('Reinforcement learning in one slide', items(['An agent acts in an environment and receives rewards.', 'Goal: a policy maximising the expected discounted return.', 'Today: value-based and policy-based algorithms.'])),
  frame('Markov decision processes', `${items(['States $s$, actions $a$, transitions $P(s\' \\mid s,a)$, rewards $r$, discount $\\gamma \\in [0,1)$.'])}\n\\begin{equation}\n  V^{\\pi}(s) = \\mathbb{E}_{\\pi}\\Big[ \\sum_{t \\ge 0} \\gamma^t r_{t+1} \\,\\Big|\\, s_0 = s \\Big]\n\\end{equation}`),
].join('\n');

const MAIN = `\\documentclass{beamer}
\\usetheme{Madrid}
\\usepackage{amsmath,amssymb}
\\title{Reinforcement Learning Algorithms}
\\subtitle{Machine learning for research students}
\\author{Lecturer}
\\date{Two-hour lecture}
\\begin{document}
\\begin{frame}
  \\titlepage
\\end{frame}
\\begin{frame}{Outline}
  \\tableofcontents
\\end{frame}
\\input{intro}
\\input{value}
\\input{policy}
\\section{Summary}
\\begin{frame}{Summary}
\\begin{itemize}
  \\item Q-learning and SARSA: tabular temporal-difference control, off- and on-policy.
  \\item DQN: Q-learning with neural networks, replay and target networks.
  \\item REINFORCE and PPO: optimise the policy directly; PPO clips each step.
\\end{itemize}
\\end{frame}
\\end{document}
`;

const task = (id: string, title: string, file: string, objective: string, deps: string[] = []): TaskInput => ({
  id,
  title,
  objective,
  role: 'latex writer',
  deps,
  files: [file],
  acceptance: ['compiles as part of main.tex', 'motivation, problem, intuitive solution and equations for every algorithm'],
});

const goal = 'Beamer lecture slides (about 30 pages) on reinforcement learning algorithms';
const parts = [
  task('slides-intro', 'Introduction', 'intro.tex', 'intro.tex: \\section{Introduction} with RL and MDP basics (2 frames).'),
  task('slides-value', 'Value-based algorithms', 'value.tex', 'value.tex: Q-learning, SARSA, DQN: 5 frames each (motivation, problem, intuitive solution, equations, algorithm).'),
  task('slides-policy', 'Policy-based algorithms', 'policy.tex', 'policy.tex: REINFORCE and PPO: 5 frames each (motivation, problem, intuitive solution, equations, algorithm).'),
];
const main = (deps: string[]): TaskInput => task('slides-main', 'Main document', 'main.tex', 'main.tex: beamer preamble, title, outline, \\input of intro, value and policy, a summary frame.', deps);
const plan = (tasks: TaskInput[]): PlanInput => ({ goal, tasks });

export const slides: ScriptedTask = {
  name: 'slides',
  prompt: PAPER_PROMPTS.slides,
  candidates: [
    plan([...parts, main(['slides-intro', 'slides-value', 'slides-policy'])]),
    plan([parts[0], { ...parts[1], deps: ['slides-intro'] }, { ...parts[2], deps: ['slides-value'] }, main(['slides-policy'])]),
  ],
  files(id): AgentAnswer | undefined {
    switch (id) {
      case 'slides-intro':
        return { files: { 'intro.tex': INTRO } };
      case 'slides-value':
        return { files: { 'value.tex': ALGORITHMS.value.map(algorithmSlides).join('\n') } };
      case 'slides-policy':
        return { files: { 'policy.tex': ALGORITHMS.policy.map(algorithmSlides).join('\n') } };
      case 'slides-main':
        return { files: { 'main.tex': MAIN } };
      default:
        return undefined;
    }
  },
};

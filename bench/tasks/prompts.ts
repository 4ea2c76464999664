/**
 * The paper's three task prompts, verbatim as the Flow code has them (tmllab/2025_ICLR_FLOW: main.py for
 * gobang, task.py for the website and the slides), typos included.
 */
import type { PaperTask } from './score/types';

export const PAPER_PROMPTS: Readonly<Record<PaperTask, string>> = {
  gobang:
    'I am developing a single player Gobang game in Python language. An graphical user interface and AI player must be implemented. AI player will play the game against the human player. The game should end when either a player wins or the board is completely filled. The user interface must clearly indicate whose turn it is and display a message when the game concludes, specifying the winner. Additionally, the human player should have the option to play as either black or white stones.',
  website: [
    'I want to create a website for the following conference:',
    '1). Conference Name: International Conference on Learning Representations (ICLR2025)',
    '2). Date: April 27, 2025 to May 1, 2025',
    '3). Location: San Francisco, California, United States',
    '4). Organizer: International Association for Learning Representations',
    'Please generate a detailed website structure and content for this conference. For each section, provide example HTML content. Additionally, create a sample CSS stylesheet to style the website. Ensure the content is professional, clear, and suitable for an international academic conference.',
    'Note that:',
    '1). The previous information I gave you must be included.',
    '2). The website should have conference schedule part.',
    '3). The website should have conference venue part with a map.',
  ].join('\n'),
  slides: [
    'I am a lecturer. I am teaching the machine learning coure for research students. Please generate latex code for lecture slide for different reinforcement learning algorithms.',
    'Note that:',
    '1). Note that the lecture duration is 2 hour, so we need to generate 30 pages.',
    '2). for each reinforcement learning algorithms, the slide should include motivation, problem and intuitive solution and detailed math equations.',
    '3). Please make sure the the lecture have a good self-contain.',
  ].join('\n'),
};

/** The paper's figures (Flow, ICLR 2025, GPT-4o-mini, 5 trials per task): success in %. */
export const PAPER_FIGURES = {
  flow: { gobang: 100, slides: 100, website: 80, average: 93 },
  baselinesAverage: { AutoGen: 66.7, MetaGPT: 71, CAMEL: 48.7 },
} as const;

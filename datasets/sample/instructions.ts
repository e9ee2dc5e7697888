/**
 * A small instruction set, written for Kiln, in the Alpaca format ({ instruction, input, output }).
 * The demo mixes it into its pretraining shards, where its loss mask covers only the answers.
 */
export interface AlpacaRecord {
  instruction: string;
  input: string;
  output: string;
}

export const SAMPLE_INSTRUCTIONS: readonly AlpacaRecord[] = [
  { instruction: "Explain what a web crawl is in one sentence.", input: "", output: "A web crawl is a large collection of pages that a program downloaded by following links from one page to the next." },
  { instruction: "Why do pretraining datasets remove near-duplicate pages?", input: "", output: "Near-duplicates make a model see the same text many times, which wastes compute and encourages memorisation instead of learning." },
  { instruction: "Summarise the text.", input: "The garden needs water twice a week in summer and once a week in spring. Tomatoes want more sun than lettuce.", output: "Water twice a week in summer, once in spring; give tomatoes more sun than lettuce." },
  { instruction: "Translate to French.", input: "The library opens at nine.", output: "La bibliothèque ouvre à neuf heures." },
  { instruction: "Give three tips for baking bread at home.", input: "", output: "Weigh the flour instead of using cups, let the dough rise somewhere warm, and bake with steam for a crisp crust." },
  { instruction: "What is the capital of Portugal?", input: "", output: "The capital of Portugal is Lisbon." },
  { instruction: "Rewrite the sentence in the passive voice.", input: "The committee approved the budget.", output: "The budget was approved by the committee." },
  { instruction: "Classify the sentiment of the review as positive or negative.", input: "The soup was cold and the service was slow.", output: "Negative." },
  { instruction: "Explain what a tokenizer does.", input: "", output: "A tokenizer splits text into units from a fixed vocabulary and maps each unit to a number a model can read." },
  { instruction: "List the planets closest to the Sun, in order.", input: "", output: "Mercury, Venus, Earth and Mars." },
  { instruction: "Convert the temperature to Fahrenheit.", input: "20 degrees Celsius", output: "20 degrees Celsius is 68 degrees Fahrenheit." },
  { instruction: "Write a short title for the paragraph.", input: "Rain fell for three days and the river rose above the old stone bridge, closing the road to the village.", output: "Flood Closes the Village Road" },
  { instruction: "What does a language identification model return?", input: "", output: "It returns the most likely language of a text, usually with a confidence score." },
  { instruction: "Answer with yes or no: is seven a prime number?", input: "", output: "Yes." },
  { instruction: "Explain why a validation set must not overlap the training set.", input: "", output: "If the same documents appear in both, the validation loss measures memorisation rather than how well the model generalises." },
  { instruction: "Suggest a name for a cat that likes to sleep in the sun.", input: "", output: "Sunny." },
];
